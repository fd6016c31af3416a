import Foundation
import PPLDistributions

/// One run of bootstrap SMC over a model's population held as columns (`Model.makePopulation`):
/// the same loop of advance, weight and resample as `SMCFilter`, with the same streams, blocks
/// and weights, but a step is one call per block instead of one per particle, resampling is the
/// model's gather of its columns, and the genealogy gets one column per choice per step.
///
/// Particles meet their observations together, so a step's choices, stop and end are the same
/// for every particle and are described once.
struct PopulationFilter<M: Model>: Sendable {
    let model: M
    let population: any ParticlePopulation
    let options: SMC.Options
    let run: Int
    let progress: (@Sendable (Int) -> Void)?

    func run() async throws(ModelError) -> SMCRun {
        let n = options.particles
        let blockSize = max(1, options.blockSize)
        let streams = SMCFilter<M>.blockStreams(options, run: run)
        var resamplingRng = RandomStream(seed: options.seed, stream: UInt64(run) << 32)
        let resampler = options.resampling.resampler

        let increments = IncrementBuffer(count: n)
        var logWeights = [Double](repeating: -log(Double(n)), count: n)
        var weights = [Double](repeating: 0, count: n)
        // One chunk holds every particle, so the genealogy's chunks are N particles wide.
        let genealogy = Genealogy(particleCount: n, blockSize: n)
        var pendingParents: [Int]?
        var tally = FilterTally()
        var cancelled = false
        var schemas: [[ChoiceKey]: GenerationChunk.Schema] = [:]

        while true {
            if Task.isCancelled { cancelled = true; break }
            increments.clear()
            try await advance(increments, streams: streams, blockSize: blockSize)
            let stepDone = population.endStep()
            tally.step += 1
            genealogy.append(parents: pendingParents, chunks: [chunk(stepDone, n, &schemas)], overrides: [:])
            pendingParents = nil
            if stepDone.observation >= 0 { tally.observationSteps += 1 }

            var maximum = -Double.infinity
            for i in 0..<n {
                let increment = increments.base[i]
                guard !increment.isNaN else {
                    throw tally.notANumber(particle: i, location: model.observationLocation(stepDone.observation))
                }
                let logWeight = logWeights[i] + increment
                logWeights[i] = logWeight
                if logWeight > maximum { maximum = logWeight }
            }
            guard maximum > -.infinity else {
                throw tally.allZero(particles: n, location: model.observationLocation(stepDone.observation))
            }
            let ess = tally.absorb(&logWeights, &weights, maximum: maximum)
            progress?(tally.step)

            if stepDone.finished { break }
            if ess < options.essThreshold * Double(n) || (options.essThreshold >= 1 && n > 1) {
                // Survivors keep their places, as in `SMCFilter`, so the two give the same genealogy.
                let ancestors = try SMCFilter<M>.ancestors(resampler, weights, using: &resamplingRng)
                population.resample(ancestors: ancestors)
                logWeights = [Double](repeating: -log(Double(n)), count: n)
                pendingParents = ancestors
                tally.resamplingCount += 1
            }
        }
        if pendingParents != nil || genealogy.isEmpty {
            genealogy.append(parents: pendingParents, chunks: SMCFilter<M>.emptyChunks(n, n), overrides: [:])
        }

        var (columns, isInteger, draws) = genealogy.draws()
        if !cancelled {
            let (deterministic, returned) = population.finalValues()
            var items = deterministic
            if let (representative, values) = returned {
                items.append((WeightedDrawTable.returnAddress, representative, values))
            }
            for (address, representative, values) in items {
                var named: [Address] = [], integer: [Bool] = []
                ValueFlattening.forEachScalar(address, representative) { column, _, isInt in
                    named.append(column)
                    integer.append(isInt)
                }
                guard named.count == values.count else { continue }
                columns += named
                isInteger += integer
                draws += values
            }
        }
        return SMCRun(columns: columns, isInteger: isInteger, draws: draws, logWeights: logWeights,
                      logEvidence: tally.logEvidence, essHistory: tally.essHistory, resamplingCount: tally.resamplingCount,
                      observationSteps: tally.observationSteps, uniqueAncestors: genealogy.distinctRoots(),
                      movesProposed: [:], movesAccepted: [:], cancelled: cancelled)
    }

    /// The step's choices as one genealogy chunk, values particle by particle; the schema (the
    /// addresses) is built once per set of keys.
    func chunk(_ step: PopulationStep, _ n: Int, _ schemas: inout [[ChoiceKey]: GenerationChunk.Schema]) -> GenerationChunk {
        let width = step.keys.count
        let schema: GenerationChunk.Schema
        if let known = schemas[step.keys] {
            schema = known
        } else {
            var addresses: [Address] = [], kinds: [GenerationChunk.Kind] = [], supports: [Support] = []
            for key in step.keys {
                let description = model.describe(key)
                addresses.append(description.address)
                supports.append(description.support)
                let kind: GenerationChunk.Kind = switch description.kind { case .real: .real; case .int: .int; case .bool: .bool }
                kinds.append(kind)
            }
            schema = GenerationChunk.Schema(addresses: addresses, kinds: kinds, supports: supports, keys: step.keys)
            schemas[step.keys] = schema
        }
        let values = [Double](unsafeUninitializedCapacity: n * width) { buffer, initialized in
            guard let base = buffer.baseAddress else { initialized = 0; return }
            if width == 1 {
                base.initialize(from: step.values[0], count: n)
            } else {
                for (k, column) in step.values.enumerated() {
                    for i in 0..<n { (base + i * width + k).initialize(to: column[i]) }
                }
            }
            initialized = n * width
        }
        return GenerationChunk(storage: .uniform(schema), values: values, logDensities: nil, absent: nil)
    }

    /// Advances every block of the population to the next observation, one task per block; the
    /// first block's error (in block order) is the one thrown.
    func advance(_ increments: IncrementBuffer, streams: [BlockStream], blockSize: Int) async throws(ModelError) {
        let n = options.particles
        let population = self.population
        let errors = await withTaskGroup(of: (Int, ModelError?).self) { group in
            for (b, stream) in streams.enumerated() {
                group.addTask {
                    let range = (b * blockSize)..<min(n, (b + 1) * blockSize)
                    do throws(ModelError) {
                        try population.advance(block: range, logWeights: increments.base, using: &stream.rng)
                    } catch {
                        return (b, error)
                    }
                    return (b, nil)
                }
            }
            var errors = [ModelError?](repeating: nil, count: streams.count)
            for await (b, error) in group { errors[b] = error }
            return errors
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
    }
}

/// The step's log-weight increments of every particle, written by the block tasks in disjoint ranges.
final class IncrementBuffer: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Double>

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: 0, count: count)
    }

    func clear() { base.update(repeating: 0, count: count) }

    deinit { base.deallocate() }
}
