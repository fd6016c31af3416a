import PPLDistributions

/// SMC's history as a genealogy: per step, the choices each particle made and its ancestor.
///
/// A step appends O(N) data whatever T, and a particle's path is rebuilt by walking
/// ancestor links back from its leaf (as LibBi and `particles` do), so resampling never
/// copies histories. Resample-move records the values a move changed as overrides at
/// the step after it; walking leaf first, the first value seen for an address is current.
/// Jacob, Murray & Rubenthaler (2015), "Path storage in the particle filter".
final class Genealogy: @unchecked Sendable {
    let particleCount: Int
    let blockSize: Int
    private(set) var generations: [Generation] = []

    init(particleCount: Int, blockSize: Int) {
        self.particleCount = particleCount
        self.blockSize = blockSize
    }

    /// A value a move replaced (nil record: the move removed the choice).
    struct Override: Sendable {
        var address: Address
        var record: ChoiceRecord?
    }

    struct Generation: Sendable {
        /// ancestor in the previous generation of each particle; nil when nothing was resampled (identity).
        var parents: [Int32]?
        /// One chunk per particle block.
        var chunks: [GenerationChunk]
        var overrides: [Int: [Override]]
    }

    var isEmpty: Bool { generations.isEmpty }

    func append(parents: [Int]?, chunks: [GenerationChunk], overrides: [Int: [Override]]) {
        generations.append(Generation(parents: parents.map { $0.map(Int32.init) }, chunks: chunks, overrides: overrides))
    }

    /// Every choice on the path to particle `leaf` of the last generation, current values only, in execution order.
    func path(of leaf: Int) -> [ChoiceRecord] {
        var seen: Set<Address> = []
        var perGeneration: [[ChoiceRecord]] = []
        var index = leaf
        for generation in generations.reversed() {
            var here: [ChoiceRecord] = []
            if let overrides = generation.overrides[index] {
                for override in overrides where seen.insert(override.address).inserted {
                    if let record = override.record { here.append(record) }
                }
            }
            let chunk = generation.chunks[index / blockSize]
            chunk.forEachRecord(index % blockSize) { record in
                if seen.insert(record.address).inserted { here.append(record) }
            }
            perGeneration.append(here)
            if let parents = generation.parents { index = Int(parents[index]) }
        }
        return perGeneration.reversed().flatMap { $0 }
    }

    /// Scalar columns and draws[column][particle] of every final particle's path.
    ///
    /// Columns are the flattened latent addresses in order of first appearance.
    /// A choice absent from a particle's path (stochastic control flow) is NaN.
    func draws() -> (columns: [Address], isInteger: [Bool], draws: [[Double]]) {
        var columns: [Address] = []
        var isInteger: [Bool] = []
        var columnOf: [Address: Int] = [:]
        func column(_ address: Address, _ integer: Bool) -> Int {
            if let c = columnOf[address] { return c }
            columnOf[address] = columns.count
            columns.append(address)
            isInteger.append(integer)
            return columns.count - 1
        }
        // Uniform chunks resolve their schema to columns once; general ones are looked up per record.
        var schemaColumns: [[[Int]]] = []
        for generation in generations {
            for (_, overrides) in generation.overrides.sorted(by: { $0.key < $1.key }) {
                for case let record? in overrides.map(\.record) {
                    ValueFlattening.forEachScalar(record.address, record.value) { a, _, integer in _ = column(a, integer) }
                }
            }
            var perChunk: [[Int]] = []
            for chunk in generation.chunks {
                switch chunk.storage {
                case .uniform(let schema):
                    perChunk.append(schema.indices.map { column(schema.addresses[$0], schema.kinds[$0] != .real) })
                case .general(let records):
                    for particle in records {
                        for record in particle {
                            ValueFlattening.forEachScalar(record.address, record.value) { a, _, integer in _ = column(a, integer) }
                        }
                    }
                    perChunk.append([])
                }
            }
            schemaColumns.append(perChunk)
        }

        let n = particleCount
        var flat = [Double](repeating: .nan, count: columns.count * n)
        var removed: Set<Int> = []
        // The walk touches every (particle, step): keep it to array reads, no struct copies.
        let parentsOf: [[Int32]?] = generations.map(\.parents)
        let overridesOf: [[Int: [Override]]] = generations.map(\.overrides)
        let hasOverrides = overridesOf.contains { !$0.isEmpty }
        flat.withUnsafeMutableBufferPointer { values in
            func set(_ c: Int, _ leaf: Int, _ x: Double) {
                if values[c * n + leaf].isNaN && (removed.isEmpty || !removed.contains(c)) { values[c * n + leaf] = x }
            }
            func setRecord(_ record: ChoiceRecord, _ leaf: Int) {
                ValueFlattening.forEachScalar(record.address, record.value) { a, x, _ in
                    if let c = columnOf[a] { set(c, leaf, x) }
                }
            }
            for leaf in 0..<n {
                if !removed.isEmpty { removed.removeAll(keepingCapacity: true) }
                var index = leaf
                var g = generations.count - 1
                while g >= 0 {
                    if hasOverrides, let overrides = overridesOf[g][index] {
                        for override in overrides {
                            if let record = override.record {
                                setRecord(record, leaf)
                            } else {
                                // A removed choice hides older values of it (and of its elements).
                                for (a, c) in columnOf where override.address.covers(a) && values[c * n + leaf].isNaN { removed.insert(c) }
                            }
                        }
                    }
                    let b = index / blockSize, local = index - b * blockSize
                    generations[g].chunks[b].withUniformValues(local) { slotValues in
                        if let slotValues {
                            let slots = schemaColumns[g][b]
                            for k in 0..<slots.count { set(slots[k], leaf, slotValues[k]) }
                        } else {
                            generations[g].chunks[b].forEachRecord(local) { setRecord($0, leaf) }
                        }
                    }
                    if let parents = parentsOf[g] { index = Int(parents[index]) }
                    g -= 1
                }
            }
        }
        let draws = (0..<columns.count).map { c in Array(flat[(c * n)..<((c + 1) * n)]) }
        return (columns, isInteger, draws)
    }
}

/// The choices one block of particles made in one step.
///
/// When every particle made the same scalar choices (the common case: `x[t]` for all),
/// only their values are kept, in one flat array; otherwise the records themselves.
struct GenerationChunk: Sendable {
    enum Kind: Sendable { case real, int, bool }

    struct Schema: Sendable {
        var addresses: [Address]
        var kinds: [Kind]
        var supports: [Support]
        var indices: Range<Int> { addresses.indices }
    }

    enum Storage: Sendable {
        case uniform(Schema)
        case general([[ChoiceRecord]])
    }

    var storage: Storage
    /// Uniform storage: values[particle * width + k].
    var values: [Double]
    /// Uniform storage: log densities alongside values, kept only for resample-move.
    var logDensities: [Double]?
    /// Uniform storage: particles that made no choice this step (already finished).
    var absent: [Bool]?

    /// Calls `body` with particle `local`'s values when the storage is uniform (nil values otherwise,
    /// or none at all when the particle made no choice this step).
    func withUniformValues(_ local: Int, _ body: (UnsafeBufferPointer<Double>?) -> Void) {
        guard case .uniform(let schema) = storage else { return body(nil) }
        guard absent?[local] != true else { return }
        let width = schema.addresses.count
        values.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[(local * width)..<((local + 1) * width)]))
        }
    }

    /// Calls `body` with particle `local`'s records of this step.
    func forEachRecord(_ local: Int, _ body: (ChoiceRecord) -> Void) {
        switch storage {
        case .general(let records):
            for record in records[local] { body(record) }
        case .uniform(let schema):
            guard absent?[local] != true else { return }
            let width = schema.addresses.count
            for k in 0..<width {
                let x = values[local * width + k]
                let value: Value = switch schema.kinds[k] {
                case .real: .real(x)
                case .int: .int(Int(x))
                case .bool: .bool(x != 0)
                }
                body(ChoiceRecord(address: schema.addresses[k], value: value,
                                  logDensity: logDensities?[local * width + k] ?? .nan, support: schema.supports[k]))
            }
        }
    }

    /// Builds a block's chunk from each particle's step choices (nil: the particle did not move).
    static func make(_ steps: [[ChoiceRecord]?], keepLogDensities: Bool) -> GenerationChunk {
        guard let first = steps.first(where: { $0 != nil }) ?? nil else {
            return GenerationChunk(storage: .general(steps.map { $0 ?? [] }), values: [], logDensities: nil, absent: nil)
        }
        var kinds: [Kind] = []
        for record in first {
            switch record.value {
            case .real: kinds.append(.real)
            case .int: kinds.append(.int)
            case .bool: kinds.append(.bool)
            default: return general(steps)
            }
        }
        let schema = Schema(addresses: first.map(\.address), kinds: kinds, supports: first.map(\.support))
        let width = first.count
        var values: [Double] = []
        values.reserveCapacity(steps.count * width)
        var logDensities: [Double] = []
        if keepLogDensities { logDensities.reserveCapacity(steps.count * width) }
        var absent: [Bool]?
        for (i, step) in steps.enumerated() {
            guard let step else {
                if absent == nil { absent = [Bool](repeating: false, count: steps.count) }
                absent?[i] = true
                values.append(contentsOf: repeatElement(0, count: width))
                if keepLogDensities { logDensities.append(contentsOf: repeatElement(0, count: width)) }
                continue
            }
            guard step.count == width else { return general(steps) }
            for k in 0..<width {
                let record = step[k]
                guard record.address == schema.addresses[k] else { return general(steps) }
                switch (record.value, kinds[k]) {
                case (.real(let x), .real): values.append(x)
                case (.int(let n), .int): values.append(Double(n))
                case (.bool(let b), .bool): values.append(b ? 1 : 0)
                default: return general(steps)
                }
                if keepLogDensities { logDensities.append(record.logDensity) }
            }
        }
        return GenerationChunk(storage: .uniform(schema), values: values,
                               logDensities: keepLogDensities ? logDensities : nil, absent: absent)
    }

    private static func general(_ steps: [[ChoiceRecord]?]) -> GenerationChunk {
        GenerationChunk(storage: .general(steps.map { $0 ?? [] }), values: [], logDensities: nil, absent: nil)
    }
}

extension Genealogy {
    /// How many distinct first-generation particles the last generation descends from.
    func distinctRoots() -> Int {
        var indices = Array(0..<particleCount)
        for generation in generations.dropFirst().reversed() {
            guard let parents = generation.parents else { continue }
            indices = indices.map { Int(parents[$0]) }
        }
        return Set(indices).count
    }
}
