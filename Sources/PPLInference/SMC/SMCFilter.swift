import Foundation
import PPLDistributions

/// One run of SMC: the loop of advance, weight, resample and (optionally) move.
///
/// Per-block generators are RandomStream(seed:, stream: run·2³² + block + 1), resampling
/// uses stream run·2³², and blocks are a fixed partition of the particles, so the result
/// for a seed is the same whatever the number of threads.
struct SMCFilter<M: Model>: Sendable {
    let model: M
    let options: SMC.Options
    let run: Int
    let progress: (@Sendable (Int) -> Void)?

    init(model: M, options: SMC.Options, run: Int, progress: (@Sendable (Int) -> Void)?) {
        self.model = model
        self.options = options
        self.run = run
        self.progress = progress
    }

    /// What advancing one block of particles by one step produced.
    struct BlockAdvance: Sendable {
        var incrementalLogWeights: [Double] = []
        var observed: [Bool] = []
        var finishedNow: [Bool] = []
        var prefixIncrements: [Double] = []
        var chunk = GenerationChunk(storage: .general([]), values: [], logDensities: nil, absent: nil)
        var location: String?
        var error: ModelError?
    }

    func run() async throws(ModelError) -> SMCRun {
        let n = options.particles
        let blockSize = max(1, options.blockSize)
        let streams = Self.blockStreams(options, run: run)
        var resamplingRng = RandomStream(seed: options.seed, stream: UInt64(run) << 32)
        let resampler = options.resampling.resampler
        let rejuvenating = options.rejuvenationSteps > 0

        let particles = ParticleBuffer(count: n, repeating: model.makeParticle())
        var finished = [Bool](repeating: false, count: n)
        var observationsSeen = [Int](repeating: 0, count: n)
        var prefixLogJoint = [Double](repeating: 0, count: n)
        // Kept normalised (log Σ exp = 0) between steps, so each step's evidence increment is
        // log Σ_i W_{t-1}^i w_t^i = log Σ_i exp(logWeights_i + log w_t^i).
        var logWeights = [Double](repeating: -log(Double(n)), count: n)
        var weights = [Double](repeating: 0, count: n)
        let genealogy = Genealogy(particleCount: n, blockSize: blockSize)
        var pendingParents: [Int]?
        var pendingOverrides: [Int: [Genealogy.Override]] = [:]
        var tally = FilterTally()
        var cancelled = false
        var movesProposed: [Address: Int] = [:], movesAccepted: [Address: Int] = [:]

        while finished.contains(false) {
            if Task.isCancelled { cancelled = true; break }
            let blocks = await advance(particles, finished: finished, streams: streams, blockSize: blockSize,
                                       keepLogDensities: rejuvenating)
            tally.step += 1
            if let error = blocks.lazy.compactMap({ $0.error }).first { throw error }
            genealogy.append(parents: pendingParents, chunks: blocks.map(\.chunk), overrides: pendingOverrides)
            pendingParents = nil
            pendingOverrides = [:]

            var anyObserved = false
            var maximum = -Double.infinity
            for b in 0..<blocks.count {
                let block = blocks[b]
                for k in 0..<block.incrementalLogWeights.count {
                    let i = b * blockSize + k
                    let increment = block.incrementalLogWeights[k]
                    guard !increment.isNaN else {
                        throw tally.notANumber(particle: i, location: block.location)
                    }
                    let logWeight = logWeights[i] + increment
                    logWeights[i] = logWeight
                    if logWeight > maximum { maximum = logWeight }
                    prefixLogJoint[i] += block.prefixIncrements[k]
                    if block.observed[k] { observationsSeen[i] += 1; anyObserved = true }
                    if block.finishedNow[k] { finished[i] = true }
                }
            }
            if anyObserved { tally.observationSteps += 1 }
            guard maximum > -.infinity else {
                let location = blocks.lazy.compactMap({ $0.location }).first
                throw tally.allZero(particles: n, location: location)
            }
            let ess = tally.absorb(&logWeights, &weights, maximum: maximum)
            progress?(tally.step)

            guard finished.contains(false) else { break }
            if ess < options.essThreshold * Double(n) || (options.essThreshold >= 1 && n > 1) {
                // Survivors keep their own places, so only the others are overwritten, in place.
                let ancestors = try Self.ancestors(resampler, weights, using: &resamplingRng)
                particles.resample(ancestors: ancestors, model)
                finished = ancestors.map { finished[$0] }
                observationsSeen = ancestors.map { observationsSeen[$0] }
                prefixLogJoint = ancestors.map { prefixLogJoint[$0] }
                logWeights = [Double](repeating: -log(Double(n)), count: n)
                pendingParents = ancestors
                tally.resamplingCount += 1
                if rejuvenating {
                    let moves = try await rejuvenate(particles, genealogy: genealogy, parents: ancestors,
                                                     finished: finished, observationsSeen: observationsSeen,
                                                     prefixLogJoint: &prefixLogJoint, streams: streams, blockSize: blockSize)
                    pendingOverrides = moves.overrides
                    for (a, k) in moves.proposed { movesProposed[a, default: 0] += k }
                    for (a, k) in moves.accepted { movesAccepted[a, default: 0] += k }
                }
            }
        }
        if pendingParents != nil || !pendingOverrides.isEmpty || genealogy.isEmpty {
            genealogy.append(parents: pendingParents, chunks: Self.emptyChunks(n, blockSize), overrides: pendingOverrides)
        }

        var (columns, isInteger, draws) = genealogy.draws()
        // Deterministic quantities and the return value come from the final particle states.
        let finals = Self.finalColumns(model, particles)
        columns += finals.columns
        isInteger += finals.isInteger
        draws += finals.draws

        return SMCRun(columns: columns, isInteger: isInteger, draws: draws, logWeights: logWeights,
                      logEvidence: tally.logEvidence, essHistory: tally.essHistory, resamplingCount: tally.resamplingCount,
                      observationSteps: tally.observationSteps, uniqueAncestors: genealogy.distinctRoots(),
                      movesProposed: movesProposed, movesAccepted: movesAccepted, cancelled: cancelled)
    }

    /// Each block's generator for run `run`: stream run·2³² + block + 1 of the seed (the resampling
    /// generator is stream run·2³²), blocks being a fixed partition of the particles.
    static func blockStreams(_ options: SMC.Options, run: Int) -> [BlockStream] {
        let n = options.particles, blockSize = max(1, options.blockSize)
        let base = UInt64(run) << 32
        return (0..<((n + blockSize - 1) / blockSize)).map { BlockStream(seed: options.seed, stream: base + UInt64($0) + 1) }
    }

    /// Ancestors drawn from the normalised weights and reordered so that survivors keep their
    /// places (`survivorsInPlace`); a resampler that returns bad indices is an error.
    static func ancestors(_ resampler: any Resampler, _ weights: [Double],
                          using rng: inout RandomStream) throws(ModelError) -> [Int] {
        let n = weights.count
        let drawn = resampler.ancestors(weights: weights, count: n, using: &rng)
        guard drawn.count == n, drawn.allSatisfy({ $0 >= 0 && $0 < n }) else {
            throw ModelError(.other, "resampler '\(resampler.name)' returned invalid ancestor indices")
        }
        return survivorsInPlace(drawn)
    }

    /// Flattened deterministic quantities and return values of the final particles.
    ///
    /// Every particle usually returns the same shape (e.g. the path `x` of T + 1 reals): the
    /// columns are then named once and each particle only copies its scalars, instead of
    /// building an address per element per particle.
    static func finalColumns(_ model: M, _ particles: ParticleBuffer<M.Particle>)
        -> (columns: [Address], isInteger: [Bool], draws: [[Double]]) {
        let n = particles.count
        func items(_ i: Int) -> [(Address, Value)] {
            let final = model.finalState(of: particles.base[i])
            return final.deterministic + (final.returnValue.map { [(WeightedDrawTable.returnAddress, $0)] } ?? [])
        }
        func scalars(_ value: Value, _ out: inout [Double]) {
            switch value {
            case .real(let x): out.append(x)
            case .int(let k): out.append(Double(k))
            case .bool(let b): out.append(b ? 1 : 0)
            case .array(let elements): for element in elements { scalars(element, &out) }
            case .matrix(let m): out.append(contentsOf: m.elements)
            }
        }
        func sameShape(_ a: Value, _ b: Value) -> Bool {
            switch (a, b) {
            case (.real, .real), (.int, .int), (.bool, .bool), (.int, .bool), (.bool, .int): return true
            case (.array(let x), .array(let y)):
                guard x.count == y.count else { return false }
                for k in x.indices where !sameShape(x[k], y[k]) { return false }
                return true
            case (.matrix(let m), .matrix(let p)): return m.rows == p.rows && m.columns == p.columns
            default: return false
            }
        }
        guard n > 0 else { return ([], [], []) }
        let first = items(0)
        var columns: [Address] = [], isInteger: [Bool] = []
        for (address, value) in first {
            ValueFlattening.forEachScalar(address, value) { column, _, integer in
                columns.append(column)
                isInteger.append(integer)
            }
        }
        var flat = [Double](repeating: .nan, count: columns.count * n)
        var row: [Double] = []
        row.reserveCapacity(columns.count)
        for i in 0..<n {
            let here = i == 0 ? first : items(i)
            // Cheap check first (addresses and scalar count); shapes only when counts match.
            row.removeAll(keepingCapacity: true)
            for (_, value) in here { scalars(value, &row) }
            guard row.count == columns.count, here.count == first.count,
                  zip(here, first).allSatisfy({ $0.0 == $1.0 && sameShape($0.1, $1.1) }) else {
                return slowFinalColumns(model, particles)
            }
            for c in 0..<row.count { flat[c * n + i] = row[c] }
        }
        return (columns, isInteger, (0..<columns.count).map { c in Array(flat[(c * n)..<((c + 1) * n)]) })
    }

    /// Particles whose final values differ in shape (stochastic control flow): one draw at a time.
    static func slowFinalColumns(_ model: M, _ particles: ParticleBuffer<M.Particle>)
        -> (columns: [Address], isInteger: [Bool], draws: [[Double]]) {
        var table = WeightedDrawTable()
        for i in 0..<particles.count {
            let final = model.finalState(of: particles.base[i])
            table.add(latents: EmptyCollection<(Address, Value)>(), deterministic: final.deterministic,
                      returnValue: final.returnValue, logWeight: 0)
        }
        return (table.columns, table.columnIsInteger, table.draws)
    }

    static func emptyChunks(_ n: Int, _ blockSize: Int) -> [GenerationChunk] {
        stride(from: 0, to: n, by: blockSize).map { start in
            GenerationChunk(storage: .general([[ChoiceRecord]](repeating: [], count: min(blockSize, n - start))),
                            values: [], logDensities: nil, absent: nil)
        }
    }

    /// Advances every unfinished particle to its next observation, one task per block.
    func advance(_ particles: ParticleBuffer<M.Particle>, finished: [Bool], streams: [BlockStream],
                 blockSize: Int, keepLogDensities: Bool) async -> [BlockAdvance] {
        let n = particles.count
        let model = self.model
        return await withTaskGroup(of: (Int, BlockAdvance).self) { group in
            for (b, stream) in streams.enumerated() {
                group.addTask {
                    let range = (b * blockSize)..<min(n, (b + 1) * blockSize)
                    var out = BlockAdvance()
                    // Written through pointers per delivered particle (no copy-on-write checks), copied out at the end.
                    let increments = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * range.count)
                    increments.initialize(repeating: 0)
                    let flags = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 2 * range.count)
                    flags.initialize(repeating: false)
                    defer { increments.deallocate(); flags.deallocate() }
                    let width = range.count
                    var chunk = GenerationChunk.Builder(capacity: range.count, keepLogDensities: keepLogDensities)
                    // Moved out of the block's stream for the loop (no exclusivity checks), and back.
                    var step = StepRecorder()
                    swap(&step, &stream.step)
                    defer { swap(&step, &stream.step) }
                    // The model delivers advanced particles in increasing order; the others had finished.
                    var next = range.lowerBound
                    do throws(ModelError) {
                        try model.advance(particles.base, range: range, finished: finished, recording: &step,
                                          using: &stream.rng) { i, step in
                            while next < i { chunk.appendAbsent(); next += 1 }
                            next = i + 1
                            let k = i - range.lowerBound
                            increments[k] = step.logWeight
                            if keepLogDensities {
                                var prior = 0.0
                                for logDensity in step.logDensities { prior += logDensity }
                                increments[width + k] = prior + step.logWeight
                            }
                            flags[k] = !step.finished
                            flags[width + k] = step.finished
                            if out.location == nil {
                                out.location = step.observationLocation ?? (step.observation >= 0 ? model.observationLocation(step.observation) : nil)
                            }
                            chunk.append(step) { model.describe($0) }
                        }
                    } catch {
                        out.error = error
                        return (b, out)
                    }
                    while next < range.upperBound { chunk.appendAbsent(); next += 1 }
                    out.incrementalLogWeights = Array(increments[0..<width])
                    out.prefixIncrements = Array(increments[width...])
                    out.observed = Array(flags[0..<width])
                    out.finishedNow = Array(flags[width...])
                    out.chunk = chunk.build()
                    return (b, out)
                }
            }
            var blocks = [BlockAdvance](repeating: BlockAdvance(), count: streams.count)
            for await (b, block) in group { blocks[b] = block }
            return blocks
        }
    }
}
