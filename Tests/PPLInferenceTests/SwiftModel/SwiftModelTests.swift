import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

/// log N(x; mu, sigma), written out here so the tests do not trust the code under test.
private func normalLogDensity(_ x: Double, _ mu: Double, _ sigma: Double) -> Double {
    let z = (x - mu) / sigma
    return -0.5 * z * z - Foundation.log(sigma) - 0.5 * Foundation.log(2 * Double.pi)
}

private let data = [0.3, -1.2, 2.0]

/// mu ~ N(0, 1); y[i] ~ N(mu, 1).
private let normalNormal = SwiftModel(isStatic: true) { ctx in
    let mu = try ctx.sample("mu", Normal(mu: 0, sigma: 1))
    for (i, y) in data.enumerated() {
        try ctx.observe(Normal(mu: mu, sigma: 1), y, at: Address("y").appending(index: i))
    }
    ctx.deterministic("twice", 2 * mu)
    ctx.returns(mu)
}

/// z ~ Bernoulli(0.3); if z == 1 then a ~ N(0, 1) else (b ~ N(5, 2), c ~ N(0, 1)); y ~ N(z == 1 ? a : b + c, 1).
private let branching = SwiftModel { ctx in
    let z = try ctx.sample("z", Bernoulli(p: 0.3))
    let mean: Double
    if z == 1 {
        mean = try ctx.sample("a", Normal(mu: 0, sigma: 1))
    } else {
        mean = try ctx.sample("b", Normal(mu: 5, sigma: 2)) + ctx.sample("c", Normal(mu: 0, sigma: 1))
    }
    try ctx.observe(Normal(mu: mean, sigma: 1), 1.5)
}

@Suite struct SwiftModelTests {
    @Test func simulateScoresEveryChoiceAndObservation() throws {
        var rng = RandomStream(seed: 1)
        let trace = try normalNormal.simulate(using: &rng)
        #expect(trace.latentCount == 1)
        let mu = try #require(trace.latent(0).value.asReal)
        #expect(abs(trace.logPrior - normalLogDensity(mu, 0, 1)) < 1e-12)
        let expectedLikelihood = data.map { normalLogDensity($0, mu, 1) }.reduce(0, +)
        #expect(abs(trace.logLikelihood - expectedLikelihood) < 1e-12)
        #expect(trace.observations.map(\.address.description) == ["y[0]", "y[1]", "y[2]"])
        #expect(trace.deterministic.first?.1 == .real(2 * mu))
        #expect(trace.returnValue == .real(mu))
        #expect(trace.latent(0).location?.contains("SwiftModelTests.swift") == true)
    }

    @Test func generateFixesConstraintsAndAssessAgrees() throws {
        var rng = RandomStream(seed: 2)
        let trace = try normalNormal.generate(constraints: ["mu": .real(0.7)], using: &rng)
        #expect(trace.latent(0).value == .real(0.7))
        let expected = normalLogDensity(0.7, 0, 1) + data.map { normalLogDensity($0, 0.7, 1) }.reduce(0, +)
        #expect(abs(trace.logJoint - expected) < 1e-12)
        #expect(abs(try normalNormal.assess(["mu": .real(0.7)]) - expected) < 1e-12)
    }

    @Test func assessNamesAMissingChoice() {
        #expect {
            _ = try normalNormal.assess([:])
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.address == "mu" && error.description.contains("no value given")
        }
    }

    @Test func updateOnAStaticModelReturnsTheJointRatioAndReverts() throws {
        var rng = RandomStream(seed: 3)
        var trace = try normalNormal.generate(constraints: ["mu": .real(0.1)], using: &rng)
        let before = trace.logJoint
        let update = try normalNormal.update(&trace, latent: 0, to: .real(-0.4), using: &rng)
        let expected = try normalNormal.assess(["mu": .real(-0.4)]) - normalNormal.assess(["mu": .real(0.1)])
        #expect(abs(update.logWeight - expected) < 1e-12)
        #expect(trace.latent(0).value == .real(-0.4))
        normalNormal.revert(&trace, update)
        #expect(trace.latent(0).value == .real(0.1))
        #expect(trace.logJoint == before)
    }

    @Test func updateThatChangesStructureRemovesFreshAndRestoresLostPriors() throws {
        var rng = RandomStream(seed: 4)
        var trace = try branching.generate(constraints: ["z": .int(0), "b": .real(4), "c": .real(0.5)], using: &rng)
        let oldJoint = trace.logJoint
        let update = try branching.update(&trace, latent: 0, to: .int(1), using: &rng)
        let a = try #require(trace.latent(trace.latentIndex(of: "a") ?? -1).value.asReal)
        #expect(trace.latentIndex(of: "b") == nil)
        // Fresh `a` leaves the ratio; the lost `b` and `c` come back with their priors.
        let newJoint = Foundation.log(0.3) + normalLogDensity(a, 0, 1) + normalLogDensity(1.5, a, 1)
        let expected = newJoint - oldJoint - normalLogDensity(a, 0, 1)
            + normalLogDensity(4, 5, 2) + normalLogDensity(0.5, 0, 1)
        #expect(abs(update.logWeight - expected) < 1e-12)
        branching.revert(&trace, update)
        #expect(trace.latentIndex(of: "b") == 1)
    }

    @Test func updateOutsideTheSupportHasZeroWeight() throws {
        var rng = RandomStream(seed: 5)
        var trace = try branching.generate(constraints: ["z": .int(1)], using: &rng)
        let update = try branching.update(&trace, latent: 0, to: .int(2), using: &rng)
        #expect(update.logWeight == -.infinity)
    }

    @Test func advanceStepsThroughObservationsAndItsWeightsSumToTheLikelihood() throws {
        var rng = RandomStream(seed: 6)
        var particle = normalNormal.makeParticle()
        var steps: [ParticleStep] = []
        for _ in 0..<10 {
            let step = try normalNormal.advance(&particle, using: &rng)
            steps.append(step)
            if step.finished { break }
        }
        #expect(steps.count == data.count + 1)
        #expect(steps[0].choices.map(\.address) == ["mu"])
        #expect(steps.dropFirst().allSatisfy { $0.choices.isEmpty })
        #expect(steps.last?.finished == true)
        #expect(steps.dropLast().allSatisfy { $0.observationLocation?.contains("SwiftModelTests.swift") == true })
        let mu = try #require(steps[0].choices[0].value.asReal)
        for (i, y) in data.enumerated() {
            #expect(abs(steps[i].logWeight - normalLogDensity(y, mu, 1)) < 1e-12)
        }
        #expect(normalNormal.finalState(of: particle).returnValue == .real(mu))
    }

    @Test func replayStopsAfterTheRequestedObservations() throws {
        var rng = RandomStream(seed: 7)
        var (particle, logJoint, choices) = try normalNormal.replay(fixing: ["mu": .real(0.2)], throughObservations: 2, using: &rng)
        #expect(choices.map(\.value) == [.real(0.2)])
        let expected = normalLogDensity(0.2, 0, 1) + normalLogDensity(data[0], 0.2, 1) + normalLogDensity(data[1], 0.2, 1)
        #expect(abs(logJoint - expected) < 1e-12)
        let step = try normalNormal.advance(&particle, using: &rng)
        #expect(abs(step.logWeight - normalLogDensity(data[2], 0.2, 1)) < 1e-12)
        #expect(!step.finished)
    }

    @Test func exploreEnumeratesADiscreteModelExactly() throws {
        // z1, z2 ~ Bernoulli(0.4); observe Bernoulli(z1 == z2 ? 0.9 : 0.2) = 1.
        let model = SwiftModel(isStatic: true) { ctx in
            let z1 = try ctx.sample("z1", Bernoulli(p: 0.4))
            let z2 = try ctx.sample("z2", Bernoulli(p: 0.4))
            try ctx.observe(Bernoulli(p: z1 == z2 ? 0.9 : 0.2), 1)
        }
        var pending: [[Address: Value]] = [[:]]
        var joints: [Double] = []
        while let fixed = pending.popLast() {
            switch try model.explore(fixing: fixed) {
            case .complete(let trace): joints.append(trace.logJoint)
            case .branch(let address, let values):
                for value in values { pending.append(fixed.merging([address: value]) { $1 }) }
            }
        }
        let evidence = joints.map { Foundation.exp($0) }.reduce(0, +)
        // p(y = 1) = P(equal) 0.9 + P(differ) 0.2, P(equal) = 0.4^2 + 0.6^2.
        let equal = 0.16 + 0.36
        #expect(joints.count == 4)
        #expect(abs(evidence - (equal * 0.9 + (1 - equal) * 0.2)) < 1e-12)
    }

    @Test func exploreRefusesAContinuousChoiceByName() {
        #expect {
            _ = try normalNormal.explore(fixing: [:])
        } throws: { error in
            (error as? ModelError)?.address == "mu"
        }
    }

    @Test func badParametersAndDuplicateAddressesAreClearErrors() {
        let bad = SwiftModel { ctx in
            let s = try ctx.sample("s", Normal(mu: 0, sigma: 1))
            try ctx.observe(Normal(mu: 0, sigma: s - 100), 1.0)
        }
        var rng = RandomStream(seed: 8)
        #expect {
            _ = try bad.simulate(using: &rng)
        } throws: { error in
            guard let error = error as? ModelError, case .badParameter = error.kind else { return false }
            return error.description.contains("sigma") && error.description.contains("'s'")
        }
        let duplicate = SwiftModel { ctx in
            try ctx.sample("x", Normal(mu: 0, sigma: 1))
            try ctx.sample("x", Normal(mu: 0, sigma: 1))
        }
        #expect {
            _ = try duplicate.simulate(using: &rng)
        } throws: { error in
            (error as? ModelError)?.address == "x"
        }
        #expect {
            _ = try normalNormal.assess(["mu": .array([])])
        } throws: { error in
            (error as? ModelError)?.description.contains("not a possible draw") == true
        }
    }

    @Test func factorsCountInTheLikelihoodAndNaNIsRejected() throws {
        let model = SwiftModel { ctx in
            let x = try ctx.sample("x", Normal(mu: 0, sigma: 1))
            try ctx.factor(-x * x)
        }
        #expect(abs(try model.assess(["x": .real(2)]) - (normalLogDensity(2, 0, 1) - 4)) < 1e-12)
        let nan = SwiftModel { ctx in try ctx.factor(.nan) }
        var rng = RandomStream(seed: 9)
        #expect(throws: ModelError.self) { _ = try nan.simulate(using: &rng) }
    }
}
