import PPLDistributions
import PPLInference
@testable import PPLInterpreter
import Testing

@Suite struct BlockAdvanceTests {
    static let ys: [Double] = [0.4, -0.3, 1.2, 0.8, -0.6, 0.1, 0.9, 1.5]

    /// One draw per step and no branch: the whole block stays in lockstep.
    static let level = """
    model Level(y: [Real]) {
      x[0] ~ Normal(0, 1)
      y[0] ~ Normal(x[0], 0.5)
      for t in 1..<len(y) {
        x[t] ~ Normal(0.9 * x[t - 1], 1)
        y[t] ~ Normal(x[t], 0.5)
      }
      return x
    }
    """

    /// A branch on a fresh draw splits the block; one side draws again and the other calls a
    /// function that draws (a frame the group does not run), so steps make one to three choices.
    static let split = """
    fn jitter(s: Real) -> Real {
      e ~ Normal(0, s)
      return e
    }
    model Split(y: [Real]) {
      for t in 0..<len(y) {
        z[t] ~ Normal(0, 1)
        if z[t] > 0 {
          w[t] ~ Normal(z[t], 1)
          y[t] ~ Normal(w[t], 1)
        } else {
          y[t] ~ Normal(0 - z[t] + jitter(0.5), 2)
        }
      }
      return z
    }
    """

    /// Loops of different lengths: n decides how many observations a particle sees, so
    /// particles leave the loop, and finish, at different steps.
    static let lengths = """
    model Lengths(y: [Real]) {
      n ~ Poisson(2)
      mu ~ Normal(0, 1)
      for i in 0..<min(n + 1, len(y)) {
        y[i] ~ Normal(mu, 1)
        u[i] ~ Normal(mu, 1)
      }
      return n
    }
    """

    static func model(_ source: String) throws -> VMModel {
        try SourceModels.model(source, arguments: [.reals(ys)])
    }

    /// What the deliveries of one particle added up to over its steps.
    struct Delivered {
        var choices: [Address: Value] = [:]
        var logJoint = 0.0
        var finished = false
    }

    /// Advances particles `range` of a buffer of `total` by blocks until all finish, checking after
    /// every step that each particle is exactly the state a one-particle run reaches with the same
    /// choices (registers, program counter, counts, return value) and that its deliveries add up
    /// to that run's log joint: the lockstep group and its fallback compute what the executor does.
    static func checkAgainstReplay(_ model: VMModel, total: Int, range: Range<Int>, seed: UInt64) throws -> BlockContext {
        let particles = UnsafeMutablePointer<VMState>.allocate(capacity: total)
        particles.initialize(repeating: model.makeParticle(), count: total)
        defer { particles.deinitialize(count: total); particles.deallocate() }
        var finished = [Bool](repeating: false, count: total)
        var delivered = [Delivered](repeating: Delivered(), count: total)
        var step = StepRecorder()
        var rng = RandomStream(seed: seed)
        var steps = 0
        while range.contains(where: { !finished[$0] }) {
            steps += 1
            try #require(steps < 100)
            var seen: [Int] = []
            try model.advance(particles, range: range, finished: finished, recording: &step, using: &rng) { i, step in
                seen.append(i)
                for record in step.choiceRecords(model.describe) {
                    delivered[i].choices[record.address] = record.value
                    delivered[i].logJoint += record.logDensity
                }
                delivered[i].logJoint += step.logWeight
                delivered[i].finished = step.finished
            }
            #expect(seen == range.filter { !finished[$0] })
            for i in seen {
                finished[i] = delivered[i].finished
                let state = particles[i]
                #expect(state.finished == delivered[i].finished)
                var replayRng = RandomStream(seed: 0)
                let count = state.finished ? state.observationsPassed + 1 : state.observationsPassed
                let replayed = try model.replay(fixing: delivered[i].choices, throughObservations: count, using: &replayRng)
                let again = replayed.particle
                #expect(again.finished == state.finished, "particle \(i) step \(steps)")
                #expect(again.frames.count == state.frames.count && again.frames.last?.pc == state.frames.last?.pc,
                        "particle \(i) step \(steps)")
                #expect(again.reals == state.reals && again.ints == state.ints, "particle \(i) step \(steps)")
                #expect(again.observationsPassed == state.observationsPassed && again.instanceCount == state.instanceCount)
                #expect(again.returnValue == state.returnValue)
                #expect(abs(replayed.logJoint - delivered[i].logJoint) <= 1e-12 * max(1, abs(replayed.logJoint)),
                        "particle \(i) step \(steps): \(replayed.logJoint) vs \(delivered[i].logJoint)")
            }
        }
        for i in 0..<total where !range.contains(i) {
            #expect(particles[i].instanceCount == 0 && !delivered[i].finished)
        }
        return try #require(step.modelContext as? BlockContext)
    }

    @Test func lockstepBlockMatchesOneParticleRuns() throws {
        let context = try Self.checkAgainstReplay(Self.model(Self.level), total: 48, range: 8..<48, seed: 3)
        // Every particle-step was run by the group, apart from the last, which ends in `return`.
        #expect(context.groupStops == 40 * Self.ys.count)
        #expect(context.groupFallbacks == 1 && context.aloneRuns == 40)
    }

    @Test func branchesThatSplitTheBlockFallBackExactly() throws {
        let context = try Self.checkAgainstReplay(Self.model(Self.split), total: 64, range: 0..<64, seed: 5)
        // The group (the particles stopped at the same observation) draws z[t], then splits at
        // the branch, every step.
        #expect(context.groupDraws > 64 && context.groupFallbacks >= Self.ys.count)
        #expect(context.aloneRuns >= 64 * Self.ys.count)
    }

    @Test func loopsOfDifferentLengthsAndEarlyFinishers() throws {
        let context = try Self.checkAgainstReplay(Self.model(Self.lengths), total: 64, range: 0..<64, seed: 7)
        #expect(context.groupStops > 0 && context.groupDraws > 0 && context.groupFallbacks > 0 && context.aloneRuns > 0)
    }

    /// With one draw per step and no divergence the group draws in the order particles drawn one
    /// at a time do, so a whole SMC run gives the same particles, weights and evidence bit for bit.
    @Test func smcInLockstepEqualsSMCOneParticleAtATime() async throws {
        let model = try Self.model(Self.level)
        let options = SMC.Options(particles: 700, resampling: .systematic, essThreshold: 0.8, seed: 11, blockSize: 256)
        let block = try await SMC(options).run(model)
        let single = try await SMC(options).run(OneAtATime(base: model))
        #expect(block.columns == single.columns)
        #expect(block.draws == single.draws)
        #expect(block.logWeights == single.logWeights)
        #expect(block.logEvidence == single.logEvidence)
        #expect((block.diagnostics.resamplingCount ?? 0) > 0)
        // Resample-move too: the moves replay particles and read each step's prior densities.
        var moving = options
        moving.particles = 200
        moving.rejuvenationSteps = 2
        let blockMoved = try await SMC(moving).run(model)
        let singleMoved = try await SMC(moving).run(OneAtATime(base: model))
        #expect(blockMoved.draws == singleMoved.draws && blockMoved.logEvidence == singleMoved.logEvidence)
        #expect(blockMoved.diagnostics.acceptanceRate.values.contains { $0 > 0 })
    }

    /// Where particles diverge, draws come in another order than one at a time, so the run
    /// differs draw by draw but is reproducible, and each run's evidence is unbiased: the mean
    /// of Ẑ over runs of both ways agree within their standard errors.
    @Test func smcWithDivergingParticlesIsReproducibleAndAgreesWithOneAtATime() async throws {
        let model = try Self.model(Self.split)
        let options = SMC.Options(particles: 600, seed: 13, runs: 12, blockSize: 200)
        let a = try await SMC(options).run(model)
        let b = try await SMC(options).run(model)
        // Bit for bit, NaN (a choice a particle did not make) included.
        #expect(a.draws.description == b.draws.description && a.logEvidence == b.logEvidence)
        let single = try await SMC(options).run(OneAtATime(base: model))
        let blockRuns = (0..<12).compactMap { a.diagnostics.extra["logEvidence.run\($0)"] }
        let singleRuns = (0..<12).compactMap { single.diagnostics.extra["logEvidence.run\($0)"] }
        #expect(blockRuns.count == 12 && singleRuns.count == 12)
        #expect(blockRuns != singleRuns)
        let (m1, s1) = LogWeights.logMean(blockRuns), (m2, s2) = LogWeights.logMean(singleRuns)
        #expect(abs(m1 - m2) < 4 * (s1 * s1 + s2 * s2).squareRoot())
    }

    /// A bad parameter met by the group names the observation's address and statement, as the
    /// one-particle executor does.
    @Test func badParameterInTheGroupNamesTheAddress() async throws {
        let model = try SourceModels.model("""
        model Bad(y: [Real]) {
          s ~ Normal(0, 1)
          y[0] ~ Normal(0, s)
        }
        """, arguments: [.reals([0.5])])
        for run in [{ try await SMC(particles: 64, seed: 1).run(model) },
                    { try await SMC(particles: 64, seed: 1).run(OneAtATime(base: model)) }] {
            await #expect {
                _ = try await run()
            } throws: { error in
                guard let error = error as? ModelError, case .badParameter = error.kind else { return false }
                return error.address == "y[0]" && error.location == "test.ppl:3:3"
            }
        }
    }
}
