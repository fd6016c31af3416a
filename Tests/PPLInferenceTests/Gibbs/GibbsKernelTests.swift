import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

/// Mean and variance of a 1-d density known up to a constant, by the trapezoid rule on a fine grid.
private func quadratureMoments(_ logDensity: (Double) -> Double, from a: Double, to b: Double, steps: Int = 200_000) -> (Double, Double) {
    let h = (b - a) / Double(steps)
    var values: [Double] = []
    values.reserveCapacity(steps + 1)
    for i in 0...steps { values.append(logDensity(a + Double(i) * h)) }
    let top = values.max() ?? 0
    var z = 0.0, s1 = 0.0, s2 = 0.0
    for (i, lv) in values.enumerated() {
        let x = a + Double(i) * h
        let w = (i == 0 || i == steps ? 0.5 : 1) * exp(lv - top)
        z += w
        s1 += w * x
        s2 += w * x * x
    }
    let mean = s1 / z
    return (mean, s2 / z - mean * mean)
}

private let scaleData = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, -2.2, 0.1]

/// s ~ Gamma(2, 1), y ~ Normal(0, exp(s)): not conjugate, whatever a recogniser claims.
private let notConjugate = SwiftModel(isStatic: true) { ctx in
    let s = try ctx.sample("s", Gamma(alpha: 2, beta: 1))
    for y in scaleData { try ctx.observe(Normal(mu: 0, sigma: exp(s)), y) }
}

private func notConjugateLogDensity(_ s: Double) -> Double {
    guard s > 0 else { return -.infinity }
    let sigma = exp(s)
    return log(s) - s + scaleData.map { -log(sigma) - 0.5 * $0 * $0 / (sigma * sigma) }.reduce(0, +)
}

/// z ~ Categorical(w), y ~ Normal(m[z], 1): P(z = k | y) ∝ w_k N(y; m_k, 1).
private let weights = [0.2, 0.5, 0.3]
private let means = [-1.0, 0.5, 2.0]
private let discreteModel = SwiftModel(isStatic: true) { ctx in
    let z = try ctx.sample("z", Categorical(p: weights))
    try ctx.observe(Normal(mu: means[z], sigma: 1), 1.1)
}
private let discretePosterior: [Double] = {
    let raw = zip(weights, means).map { $0 * exp(-0.5 * (1.1 - $1) * (1.1 - $1)) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}()

@Suite("Gibbs kernels and schedules")
struct GibbsKernelTests {
    @Test("a chain with no starting point of positive density says which choice or observation has none")
    func failedInitialisationTablesEachChoice() async throws {
        let impossible = SwiftModel(isStatic: true) { ctx in
            let p = try ctx.sample("p", Beta(alpha: 1, beta: 1))
            try ctx.observe(Bernoulli(p: p), 2, at: "y")
        }
        await #expect {
            _ = try await Gibbs(samples: 5, chains: 1, initAttempts: 3).run(impossible)
        } throws: { error in
            let text = (error as? ModelError)?.description ?? ""
            return text.contains("gibbs: chain 0 found no starting point") && text.contains("y (observed)")
                && text.contains("-inf") && text.contains("p ")
        }
    }

    @Test("a recognition the model does not bear out is an error when asked for, a fallback under auto")
    func wrongRecognitionIsCaught() async throws {
        let claimed = WithConjugacy(notConjugate, ["s": "Gamma"])
        let explicit = Gibbs(samples: 50, warmup: 0, chains: 1, seed: 1, schedule: GibbsSchedule([("s", .conjugate)]))
        await #expect {
            _ = try await explicit.run(claimed)
        } throws: { error in
            let message = (error as? ModelError)?.message ?? ""
            return message.contains("'s' is not Gamma as recognised") && (error as? ModelError)?.address == "s"
        }

        let auto = Gibbs(samples: 2_000, warmup: 200, chains: 2, seed: 2)
        let posterior = try await auto.run(claimed)
        #expect(posterior.diagnostics.schedule.map(\.1) == ["slice (conjugacy check failed)"])
        #expect(posterior.diagnostics.warnings.contains { $0.contains("'s' is not Gamma") })
        // The fallback still samples the right posterior (reference by quadrature).
        let (mean, variance) = quadratureMoments(notConjugateLogDensity, from: 1e-9, to: 8)
        let draws = chains(posterior, "s")
        let ess = ChainDiagnostics.bulkEffectiveSampleSize(draws) ?? 0
        #expect(ess > 400)
        let (ok, detail) = momentsMatch(draws.flatMap { $0 }, mean: mean, variance: variance, ess: ess)
        #expect(ok, "\(detail)")
    }

    @Test("enumeration draws a discrete choice from its exact conditional; tempered weights are rejected")
    func enumeration() async throws {
        for fault in [GibbsFault.none, .temper(0.5)] {
            var engine = Gibbs(samples: 2_000, warmup: 10, chains: 2, seed: 3)
            engine.fault = fault
            let posterior = try await engine.run(discreteModel)
            #expect(posterior.diagnostics.schedule.map(\.1) == ["enumerate"])
            let draws = pooled(posterior, "z")
            let n = Double(draws.count)
            var worst = 0.0
            for k in 0..<3 {
                let p = discretePosterior[k]
                let frequency = Double(draws.filter { $0 == Double(k) }.count) / n
                worst = max(worst, abs(frequency - p) / (p * (1 - p) / n).squareRoot())
            }
            if fault == .none { #expect(worst < 4.5, "largest z-score \(worst)") } else { #expect(worst >= 4.5) }
        }
    }

    @Test("slice sampling matches quadrature on bounded and unbounded supports; dropping the Jacobian is rejected")
    func slice() async throws {
        // x ~ Beta(2, 2) with a logistic-regression-like factor; r ~ Gamma(2, 1) with y ~ Normal(0, exp(r)).
        let model = SwiftModel(isStatic: true) { ctx in
            let x = try ctx.sample("x", Beta(alpha: 2, beta: 2))
            try ctx.factor(3 * log(x) - 4 * x * x)
            let s = try ctx.sample("s", Gamma(alpha: 2, beta: 1))
            for y in scaleData { try ctx.observe(Normal(mu: 0, sigma: exp(s)), y) }
        }
        let xDensity: (Double) -> Double = { x in x <= 0 || x >= 1 ? -.infinity : log(x) + log(1 - x) + 3 * log(x) - 4 * x * x }
        for fault in [GibbsFault.none, .dropJacobian] {
            var engine = Gibbs(samples: 2_000, warmup: 300, chains: 2, seed: 4)
            engine.fault = fault
            let posterior = try await engine.run(model)
            #expect(posterior.diagnostics.schedule.map(\.1) == ["slice", "slice"])
            var allOK = true
            for (address, density, upper) in [("x", xDensity, 1.0), ("s", notConjugateLogDensity, 8.0)] as [(Address, (Double) -> Double, Double)] {
                let (mean, variance) = quadratureMoments(density, from: 1e-9, to: upper)
                let draws = chains(posterior, address)
                let ess = ChainDiagnostics.bulkEffectiveSampleSize(draws) ?? 0
                #expect(ess > 500, "\(address): ESS \(ess)")
                let (ok, detail) = momentsMatch(draws.flatMap { $0 }, mean: mean, variance: variance, ess: ess)
                if fault == .none { #expect(ok, "\(address): \(detail)") }
                allOK = allOK && ok
            }
            if fault != .none { #expect(!allOK, "slice without the Jacobian passed") }
        }
    }

    @Test("auto on a model with no conjugate pair runs and says which kernel each address got")
    func autoWithoutConjugacy() async throws {
        let model = SwiftModel(isStatic: true) { ctx in
            let sigma = try ctx.sample("sigma", HalfCauchy(sigma: 1))
            let k = try ctx.sample("k", Categorical(p: [0.3, 0.3, 0.4]))
            let n = try ctx.sample("n", Poisson(lambda: 3))
            for i in 0..<3 {
                try ctx.sample(Address("u").appending(index: i), Uniform(a: -1, b: 1))
            }
            try ctx.observe(Normal(mu: Double(k) + Double(n) / 4, sigma: sigma), 1.3)
        }
        let posterior = try await Gibbs(samples: 400, warmup: 200, chains: 2, seed: 6).run(model)
        let schedule = Dictionary(uniqueKeysWithValues: posterior.diagnostics.schedule.map { ($0.0.description, $0.1) })
        #expect(schedule == ["sigma": "slice", "k": "enumerate", "n": "mh", "u": "slice"])
        #expect(posterior.diagnostics.acceptanceRate["n"] != nil)
        #expect(posterior.columns.count == 6)
    }

    @Test("schedules parse, and bad ones are errors naming the entry")
    func schedules() async throws {
        let parsed = try GibbsSchedule(parsing: "z=enumerate, mu = conjugate;sigma:slice,*=mh")
        #expect(parsed == GibbsSchedule([("z", .enumerate), ("mu", .conjugate), ("sigma", .slice)], fallback: .mh))
        #expect(try GibbsSchedule(parsing: "auto") == .auto)
        #expect(parsed.kernel(for: "z[3]").0 == .enumerate)
        #expect(try GibbsSchedule(parsing: "z=mh,z[2]=enumerate").kernel(for: "z[2]").0 == .enumerate)
        #expect(try GibbsSchedule(entries: [("z", "enumerate"), ("mu", "conjugate"), ("sigma", "slice"), ("*", "mh")]) == parsed)
        #expect(throws: GibbsScheduleError.self) { try GibbsSchedule(entries: [("z", "gibbs")]) }
        #expect(throws: GibbsScheduleError.self) { try GibbsSchedule(parsing: "z=gibbs") }
        #expect(throws: GibbsScheduleError.self) { try GibbsSchedule(parsing: "z[=slice") }
        #expect(throws: GibbsScheduleError.self) { try GibbsSchedule(parsing: "z") }
        #expect(throws: GibbsScheduleError.self) { try GibbsSchedule(parsing: "z=slice,z=mh") }

        let unknown = Gibbs(samples: 5, chains: 1, schedule: GibbsSchedule([("w", .slice)]))
        await #expect { _ = try await unknown.run(discreteModel) } throws: { error in
            (error as? ModelError)?.message.contains("'w', which covers no latent choice") == true
        }
        let wrongKernel = Gibbs(samples: 5, chains: 1, schedule: GibbsSchedule([("z", .slice)]))
        await #expect { _ = try await wrongKernel.run(discreteModel) } throws: { error in
            (error as? ModelError)?.address == "z"
        }
        let noFacts = Gibbs(samples: 5, chains: 1, schedule: GibbsSchedule([("s", .conjugate)]))
        await #expect { _ = try await noFacts.run(notConjugate) } throws: { error in
            (error as? ModelError)?.message.contains("no closed-form full conditional was found for 's'") == true
        }
    }

    @Test("the same seed gives the same draws whatever the number of chains run at once; another seed does not")
    func reproducible() async throws {
        let model = WithConjugacy(SwiftModel(isStatic: true) { ctx in
            let mu = try ctx.sample("mu", Normal(mu: 0, sigma: 2))
            let z = try ctx.sample("z", Categorical(p: weights))
            let s = try ctx.sample("s", Gamma(alpha: 2, beta: 1))
            try ctx.observe(Normal(mu: mu + means[z], sigma: s), 0.7)
        }, ["mu": "Normal"])
        let parallel = try await Gibbs(samples: 50, warmup: 20, chains: 3, seed: 42).run(model)
        let serial = try await Gibbs(samples: 50, warmup: 20, chains: 3, seed: 42, maxConcurrentChains: 1).run(model)
        let other = try await Gibbs(samples: 50, warmup: 20, chains: 3, seed: 43).run(model)
        #expect(parallel.draws == serial.draws)
        #expect(parallel.draws != other.draws)
        #expect(parallel.diagnostics.schedule.map(\.1) == ["conjugate (Normal)", "enumerate", "slice"])
    }

    @Test("models whose addresses change get MH everywhere, and other kernels are refused")
    func changingAddresses() async throws {
        let branching = SwiftModel { ctx in
            let z = try ctx.sample("z", Bernoulli(p: 0.3))
            let mean = try z == 1 ? ctx.sample("a", Normal(mu: 0, sigma: 1)) : ctx.sample("b", Normal(mu: 5, sigma: 2))
            try ctx.observe(Normal(mu: mean, sigma: 1), 2.5)
        }
        let posterior = try await Gibbs(samples: 200, chains: 2, seed: 7).run(branching)
        #expect(posterior.diagnostics.schedule.allSatisfy { $0.1 == "mh" })
        let refused = Gibbs(samples: 5, chains: 1, schedule: GibbsSchedule([("z", .enumerate)]))
        await #expect { _ = try await refused.run(branching) } throws: { error in
            (error as? ModelError)?.message.contains("needs a model whose choices are the same in every run") == true
        }
    }
}
