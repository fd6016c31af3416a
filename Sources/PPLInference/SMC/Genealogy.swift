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
        /// One chunk per particle block, or one for all particles when the blocks' schemas agree.
        var chunks: [GenerationChunk]
        /// Particles per chunk: the block size, or N for a merged generation.
        var chunkSize: Int
        var overrides: [Int: [Override]]
    }

    var isEmpty: Bool { generations.isEmpty }

    func append(parents: [Int]?, chunks: [GenerationChunk], overrides: [Int: [Override]]) {
        let parents = parents.map { $0.map(Int32.init) }
        if chunks.count > 1, let merged = GenerationChunk.merge(chunks) {
            generations.append(Generation(parents: parents, chunks: [merged], chunkSize: particleCount, overrides: overrides))
        } else {
            generations.append(Generation(parents: parents, chunks: chunks, chunkSize: blockSize, overrides: overrides))
        }
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
            let chunk = generation.chunks[index / generation.chunkSize]
            chunk.forEachRecord(index % generation.chunkSize) { record in
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
        // All leaves walk back together, one generation at a time, so writes run along each
        // column and reads stay within one generation.
        var index = Array(0..<n)
        var removed: [Int: Set<Int>] = [:]
        flat.withUnsafeMutableBufferPointer { values in
            func set(_ c: Int, _ leaf: Int, _ x: Double) {
                if values[c * n + leaf].isNaN && (removed.isEmpty || removed[leaf]?.contains(c) != true) { values[c * n + leaf] = x }
            }
            func setRecord(_ record: ChoiceRecord, _ leaf: Int) {
                ValueFlattening.forEachScalar(record.address, record.value) { a, x, _ in
                    if let c = columnOf[a] { set(c, leaf, x) }
                }
            }
            for g in stride(from: generations.count - 1, through: 0, by: -1) {
                let generation = generations[g]
                if !generation.overrides.isEmpty {
                    for leaf in 0..<n {
                        guard let overrides = generation.overrides[index[leaf]] else { continue }
                        for override in overrides {
                            if let record = override.record {
                                setRecord(record, leaf)
                            } else {
                                // A removed choice hides older values of it (and of its elements).
                                for (a, c) in columnOf where override.address.covers(a) && values[c * n + leaf].isNaN {
                                    removed[leaf, default: []].insert(c)
                                }
                            }
                        }
                    }
                }
                let chunkSize = generation.chunkSize
                if generation.chunks.count == 1, case .uniform(let schema) = generation.chunks[0].storage, removed.isEmpty {
                    let chunk = generation.chunks[0]
                    let width = schema.addresses.count
                    let slots = schemaColumns[g][0]
                    chunk.values.withUnsafeBufferPointer { source in
                        for k in 0..<width {
                            let base = slots[k] * n
                            for leaf in 0..<n {
                                let i = index[leaf]
                                if chunk.absent?[i] == true { continue }
                                if values[base + leaf].isNaN { values[base + leaf] = source[i * width + k] }
                            }
                        }
                    }
                } else {
                    for leaf in 0..<n {
                        let b = index[leaf] / chunkSize, local = index[leaf] - b * chunkSize
                        let chunk = generation.chunks[b]
                        if case .uniform(let schema) = chunk.storage {
                            guard chunk.absent?[local] != true else { continue }
                            let width = schema.addresses.count
                            let slots = schemaColumns[g][b]
                            for k in 0..<width { set(slots[k], leaf, chunk.values[local * width + k]) }
                        } else {
                            chunk.forEachRecord(local) { setRecord($0, leaf) }
                        }
                    }
                }
                if let parents = generation.parents {
                    for leaf in 0..<n { index[leaf] = Int(parents[index[leaf]]) }
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
        /// The model's keys for these addresses, when the choices were recorded by key.
        var keys: [ChoiceKey]? = nil
        var indices: Range<Int> { addresses.indices }

        func sameChoices(as other: Schema) -> Bool {
            if let keys, let otherKeys = other.keys { return keys == otherKeys }
            return addresses == other.addresses && kinds == other.kinds
        }
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

    /// One chunk for a whole generation when every block stored the same uniform schema.
    static func merge(_ chunks: [GenerationChunk]) -> GenerationChunk? {
        guard case .uniform(let schema)? = chunks.first?.storage else { return nil }
        let width = schema.addresses.count
        let keepsDensities = chunks[0].logDensities != nil
        guard width > 0 else { return nil }
        var values: [Double] = [], logDensities: [Double] = [], absent: [Bool] = []
        var anyAbsent = false
        for chunk in chunks {
            guard case .uniform(let other) = chunk.storage, other.sameChoices(as: schema),
                  (chunk.logDensities != nil) == keepsDensities else { return nil }
            values += chunk.values
            logDensities += chunk.logDensities ?? []
            if let flags = chunk.absent { anyAbsent = true; absent += flags } else {
                absent += repeatElement(false, count: chunk.values.count / width)
            }
        }
        return GenerationChunk(storage: .uniform(schema), values: values, logDensities: keepsDensities ? logDensities : nil,
                               absent: anyAbsent ? absent : nil)
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

    /// Builds a block's chunk particle by particle, keeping only values while every
    /// particle's choices match the first one's addresses and kinds.
    struct Builder {
        private var schema: Schema?
        private var values: [Double] = []
        private var logDensities: [Double] = []
        private var absent: [Bool] = []
        private var anyAbsent = false
        /// Every particle's records, once the choices stopped being uniform.
        private var general: [[ChoiceRecord]]?
        let keepLogDensities: Bool

        init(capacity: Int, keepLogDensities: Bool) {
            self.keepLogDensities = keepLogDensities
            absent.reserveCapacity(capacity)
        }

        mutating func appendAbsent() {
            anyAbsent = true
            if general != nil { general?.append([]); return }
            absent.append(true)
            if let schema { pad(schema.addresses.count) }
        }

        /// Appends one particle's step as its model recorded it: values only while its keys match the schema's.
        mutating func append(_ step: StepRecorder, describe: (ChoiceKey) -> ChoiceDescription) {
            if general == nil, !step.hasRecords {
                if schema == nil, step.count > 0 {
                    var addresses: [Address] = [], kinds: [Kind] = [], supports: [Support] = []
                    for key in step.keys {
                        let description = describe(key)
                        addresses.append(description.address)
                        supports.append(description.support)
                        let kind: Kind = switch description.kind { case .real: .real; case .int: .int; case .bool: .bool }
                        kinds.append(kind)
                    }
                    schema = Schema(addresses: addresses, kinds: kinds, supports: supports, keys: Array(step.keys))
                    pad(addresses.count * absent.count)
                }
                if let keys = schema?.keys, step.hasKeys(keys) {
                    values.append(contentsOf: step.values)
                    if keepLogDensities { logDensities.append(contentsOf: step.logDensities) }
                    absent.append(false)
                    return
                }
            }
            append(step.choiceRecords(describe))
        }

        mutating func append(_ records: [ChoiceRecord]) {
            if general != nil { general?.append(records); return }
            if schema == nil, let first = Self.schema(of: records) {
                schema = first
                pad(first.addresses.count * absent.count)   // particles absent before the first one that moved
            }
            if let schema, appendUniform(records, schema) {
                absent.append(false)
                return
            }
            // Not uniform after all: turn what was kept back into records and keep records from here on.
            let sofar = GenerationChunk(storage: schema.map { .uniform($0) } ?? .general([]), values: values,
                                        logDensities: keepLogDensities ? logDensities : nil, absent: absent)
            var all: [[ChoiceRecord]] = []
            for p in 0..<absent.count {
                var particle: [ChoiceRecord] = []
                if schema != nil { sofar.forEachRecord(p) { particle.append($0) } }
                all.append(particle)
            }
            all.append(records)
            general = all
            values = []
            logDensities = []
        }

        private mutating func pad(_ count: Int) {
            values.append(contentsOf: repeatElement(0, count: count))
            if keepLogDensities { logDensities.append(contentsOf: repeatElement(0, count: count)) }
        }

        private static func schema(of records: [ChoiceRecord]) -> Schema? {
            var kinds: [Kind] = []
            for record in records {
                switch record.value {
                case .real: kinds.append(.real)
                case .int: kinds.append(.int)
                case .bool: kinds.append(.bool)
                default: return nil
                }
            }
            return Schema(addresses: records.map(\.address), kinds: kinds, supports: records.map(\.support))
        }

        private mutating func appendUniform(_ records: [ChoiceRecord], _ schema: Schema) -> Bool {
            guard records.count == schema.addresses.count else { return false }
            let start = values.count
            for k in 0..<records.count {
                let record = records[k]
                let x: Double
                switch (record.value, schema.kinds[k]) {
                case (.real(let r), .real): x = r
                case (.int(let m), .int): x = Double(m)
                case (.bool(let flag), .bool): x = flag ? 1 : 0
                default: values.removeSubrange(start...); return false
                }
                guard record.address == schema.addresses[k] else { values.removeSubrange(start...); return false }
                values.append(x)
            }
            if keepLogDensities { for record in records { logDensities.append(record.logDensity) } }
            return true
        }

        func build() -> GenerationChunk {
            if let general { return GenerationChunk(storage: .general(general), values: [], logDensities: nil, absent: nil) }
            guard let schema else {
                // Nobody made a scalar choice this step.
                return GenerationChunk(storage: .general([[ChoiceRecord]](repeating: [], count: absent.count)),
                                       values: [], logDensities: nil, absent: nil)
            }
            return GenerationChunk(storage: .uniform(schema), values: values,
                                   logDensities: keepLogDensities ? logDensities : nil, absent: anyAbsent ? absent : nil)
        }
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
