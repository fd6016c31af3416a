import Foundation
import PPLDistributions
import PPLInference

/// An SMC population of a program whose particles all run the same instructions
/// (`PopulationPlan`), held as columns: each random register is a column with one value per
/// particle, every other register is held once per block (in that block's `representative`
/// state, which runs the instructions that are the same for all particles), and memory
/// (`x[t]`, read back later) is a column per key that stays in the generation it was drawn in.
///
/// A step runs each instruction once per block: over the block's particles when it writes a
/// column, once when it does not. Random numbers are drawn site by site, particle by particle,
/// from the block's stream, the order of the lockstep block advance (`advanceBlock`), so both
/// give the same numbers for a seed. Resampling gathers only the register columns live at the
/// observation where particles stopped, and records the ancestors, through which memory is read.
final class VMPopulation: ParticlePopulation, @unchecked Sendable {
    let program: CompiledProgram
    let plan: PopulationPlan
    let arguments: BoundArguments
    let count: Int
    let blockSize: Int
    let blockCount: Int
    /// Per block: the registers that are the same for every particle, the program counter and counts.
    let representatives: UnsafeMutablePointer<VMState>
    /// Register columns: column c's value for particle i at c·count + i.
    let reals: UnsafeMutablePointer<Double>
    let ints: UnsafeMutablePointer<Int>
    /// Array columns (random arrays, one per particle), like the others.
    let objects: UnsafeMutablePointer<Obj>
    let memory: PopulationMemory
    let events: PopulationEvents
    let reports = PopulationReports()
    /// Per block: reports made so far (every block makes the same ones, in the same order).
    let reportCounts: UnsafeMutablePointer<Int>
    /// ancestry[g][i]: the particle of generation g that particle i of generation g + 1 copies.
    @exclusivity(unchecked) private var ancestry: [UnsafeMutablePointer<Int32>] = []
    @exclusivity(unchecked) private(set) var generation = 0
    /// Steps ended so far (the running step's number while blocks advance).
    @exclusivity(unchecked) private(set) var step = 0
    /// Per block: where its particles stopped (the observation's global site, -1 at the end) and the pc after it.
    private let stops: UnsafeMutablePointer<(observation: Int, pc: Int)>
    /// The register the program returned (set by the first block).
    @exclusivity(unchecked) private var returned: Reg?
    /// Negative control for tests: memory read in place, as if no particle had been resampled.
    let ignoresAncestry: Bool
    private let scratch: UnsafeMutablePointer<Double>
    private let scratchInts: UnsafeMutablePointer<Int>

    init(program: CompiledProgram, plan: PopulationPlan, start: VMState, arguments: BoundArguments,
         count: Int, blockSize: Int, ignoresAncestry: Bool = false) {
        self.program = program
        self.ignoresAncestry = ignoresAncestry
        self.plan = plan
        self.arguments = arguments
        self.count = count
        self.blockSize = blockSize
        blockCount = (count + blockSize - 1) / blockSize
        representatives = .allocate(capacity: blockCount)
        representatives.initialize(repeating: start, count: blockCount)
        reals = .allocate(capacity: max(1, plan.realColumnCount * count))
        reals.initialize(repeating: 0, count: max(1, plan.realColumnCount * count))
        ints = .allocate(capacity: max(1, plan.intColumnCount * count))
        ints.initialize(repeating: 0, count: max(1, plan.intColumnCount * count))
        objects = .allocate(capacity: max(1, plan.objectColumnCount * count))
        objects.initialize(repeating: .none, count: max(1, plan.objectColumnCount * count))
        memory = PopulationMemory(slots: program.functions[program.entry].memorySlots, count: count, blockCount: blockCount)
        events = PopulationEvents(count: count)
        stops = .allocate(capacity: blockCount)
        stops.initialize(repeating: (-1, 0), count: blockCount)
        reportCounts = .allocate(capacity: blockCount)
        reportCounts.initialize(repeating: 0, count: blockCount)
        scratch = .allocate(capacity: count)
        scratchInts = .allocate(capacity: count)
        // Registers set before the first instruction (the arguments) are the same for everyone.
        for (r, c) in plan.realColumn.enumerated() where c >= 0 {
            (reals + c * count).update(repeating: start.reals[r], count: count)
        }
        for (r, c) in plan.intColumn.enumerated() where c >= 0 {
            (ints + c * count).update(repeating: start.ints[r], count: count)
        }
        for (r, c) in plan.objectColumn.enumerated() where c >= 0 {
            (objects + c * count).update(repeating: start.objects[r], count: count)
        }
    }

    deinit {
        representatives.deinitialize(count: blockCount)
        representatives.deallocate()
        reals.deallocate()
        ints.deallocate()
        objects.deinitialize(count: max(1, plan.objectColumnCount * count))
        objects.deallocate()
        stops.deallocate()
        reportCounts.deallocate()
        scratch.deallocate()
        scratchInts.deallocate()
        for map in ancestry { map.deallocate() }
    }

    // MARK: - A step

    func advance(block range: Range<Int>, logWeights: UnsafeMutablePointer<Double>,
                 using rng: inout RandomStream) throws(ModelError) {
        let b = range.lowerBound / blockSize
        let s = representatives + b
        guard !s.pointee.finished else { stops[b] = (-1, 0); return }
        var lanes = BlockLanes(population: self, block: b, lo: range.lowerBound, count: range.count, state: s)
        stops[b] = try lanes.run(logWeights: logWeights + range.lowerBound, rng: &rng)
        if b == 0, s.pointee.finished { returned = lanes.returned }
    }

    func endStep() -> PopulationStep {
        let (observation, _) = stops[0]
        memory.commit(generation: generation)
        let done = PopulationStep(keys: events.keys, values: events.columns.map { UnsafePointer($0) },
                                  observation: observation, finished: representatives[0].finished)
        events.reset()
        step += 1
        return done
    }

    func resample(ancestors: [Int]) {
        let stopPC = stops[0].pc
        for c in plan.liveRealColumns[stopPC] ?? [] {
            let column = reals + c * count
            for i in 0..<count { scratch[i] = column[ancestors[i]] }
            column.update(from: scratch, count: count)
        }
        for c in plan.liveIntColumns[stopPC] ?? [] {
            let column = ints + c * count
            for i in 0..<count { scratchInts[i] = column[ancestors[i]] }
            column.update(from: scratchInts, count: count)
        }
        for c in plan.liveObjectColumns[stopPC] ?? [] {
            let column = objects + c * count
            let gathered = (0..<count).map { column[ancestors[$0]] }
            for i in 0..<count { column[i] = gathered[i] }
        }
        let map = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        for i in 0..<count { map[i] = Int32(ancestors[i]) }
        ancestry.append(map)
        generation += 1
        // Columns read at every step would be read through ever longer ancestor chains: gather them.
        for column in memory.hotColumns(readIn: step - 1) {
            guard let values = column.committed else { continue }
            let gathered = UnsafeMutablePointer<Double>.allocate(capacity: count)
            for i in 0..<count { gathered[i] = values[origin(of: i, in: column.committedGeneration)] }
            values.deallocate()
            column.committed = gathered
            column.committedGeneration = generation
        }
    }

    /// The particle of generation `g` that particle i of the current generation descends from.
    @inline(__always)
    func origin(of i: Int, in g: Int) -> Int {
        var index = i
        var h = generation
        while h > g {
            index = Int(ancestry[h - 1][index])
            h -= 1
        }
        return index
    }

    /// The values of a memory column for particles lo..<lo+n of the current generation, into `out`.
    @inline(__always)
    func read(_ values: UnsafeMutablePointer<Double>, drawnIn g: Int, lo: Int, n: Int, into out: (Int, Double) -> Void) {
        if g == generation || ignoresAncestry {
            for j in 0..<n { out(j, values[lo + j]) }
        } else if g == generation - 1 {
            let map = ancestry[g]
            for j in 0..<n { out(j, values[Int(map[lo + j])]) }
        } else {
            for j in 0..<n { out(j, values[origin(of: lo + j, in: g)]) }
        }
    }

    // MARK: - The end

    func finalValues() -> (deterministic: [(address: Address, representative: Value, columns: [[Double]])],
                           returned: (representative: Value, columns: [[Double]])?) {
        guard representatives[0].finished else { return ([], nil) }
        let reported = reports.entries
        var deterministic: [(address: Address, representative: Value, columns: [[Double]])] =
            reported.map { ($0.address, $0.uniform ?? .real(.nan), []) }
        for (k, report) in reported.enumerated() {
            guard let uniform = report.uniform else { continue }
            deterministic[k].columns = Self.flatten(uniform).map { [Double](repeating: $0, count: count) }
        }
        // The others through the ancestry, each particle's value of the generation it was reported in.
        let drawn = reported.indices.filter { reported[$0].uniform == nil }
        throughAncestry(drawn.map { reported[$0].generation }) { item, index in
            let k = drawn[item], report = reported[k]
            if let arrays = report.arrays {
                let values = index.map { toValue(arrays[$0], type: report.type) }
                let flat = values.map(Self.flatten)
                let width = flat[0].count
                deterministic[k].representative = values[0]
                deterministic[k].columns = flat.allSatisfy({ $0.count == width })
                    ? (0..<width).map { c in flat.map { $0[c] } } : []
            } else if let values = report.values {
                let column = index.map { values[$0] }
                deterministic[k].representative = switch report.type {
                case .int: .int(Int(column[0]))
                case .bool: .bool(column[0] != 0)
                default: .real(column[0])
                }
                deterministic[k].columns = [column]
            }
        }
        return (deterministic, finalReturn())
    }

    private func finalReturn() -> (representative: Value, columns: [[Double]])? {
        guard let r = returned else { return nil }
        let s = representatives[0]
        if r.file == .object, let slot = plan.gatheredSlot[r.index] {
            return gatheredReturn(slot: slot, type: program.type(of: r))
        }
        switch r.file {
        case .real where plan.realColumn[Int(r.index)] >= 0:
            let column = Array(UnsafeBufferPointer(start: reals + plan.realColumn[Int(r.index)] * count, count: count))
            return (.real(column[0]), [column])
        case .int where plan.intColumn[Int(r.index)] >= 0:
            let values = UnsafeBufferPointer(start: ints + plan.intColumn[Int(r.index)] * count, count: count)
            let column = values.map(Double.init)
            let first: Value = program.type(of: r) == .bool ? .bool(values[0] != 0) : .int(values[0])
            return (first, [column])
        case .object where plan.objectColumn[Int(r.index)] >= 0:
            let column = objects + plan.objectColumn[Int(r.index)] * count
            let flat = (0..<count).map { Self.flatten(toValue(column[$0], type: program.type(of: r))) }
            let width = flat[0].count
            guard flat.allSatisfy({ $0.count == width }) else { return nil }
            return (toValue(column[0], type: program.type(of: r)), (0..<width).map { c in flat.map { $0[c] } })
        default:
            // The same for every particle.
            let value = program.value(of: r, s, 0, 0, 0)
            return (value, Self.flatten(value).map { [Double](repeating: $0, count: count) })
        }
    }

    /// A value's scalars in the order `Value` flattens (arrays element by element, matrices by rows).
    static func flatten(_ value: Value) -> [Double] {
        var scalars: [Double] = []
        func add(_ v: Value) {
            switch v {
            case .real(let x): scalars.append(x)
            case .int(let n): scalars.append(Double(n))
            case .bool(let b): scalars.append(b ? 1 : 0)
            case .array(let items): for item in items { add(item) }
            case .matrix(let m):
                for i in 0..<m.rows { for j in 0..<m.columns { scalars.append(m[i, j]) } }
            }
        }
        add(value)
        return scalars
    }

    /// For each item drawn in generation `generations[k]`, calls `visit(k, index)` where index[i] is
    /// the particle of that generation final particle i descends from: all particles walk back
    /// together, generation by generation, as a genealogy's paths are rebuilt.
    private func throughAncestry(_ generations: [Int], _ visit: (Int, [Int]) -> Void) {
        var index = Array(0..<count)
        var h = generation
        for k in generations.indices.sorted(by: { generations[$0] > generations[$1] }) {
            while h > generations[k] {
                let map = ancestry[h - 1]
                for i in 0..<count { index[i] = Int(map[index[i]]) }
                h -= 1
            }
            visit(k, index)
        }
    }

    /// A returned array of a memory slot's values (`return x`), each element through the ancestry:
    /// all particles walk back together, generation by generation, as a genealogy's paths are rebuilt.
    private func gatheredReturn(slot: Int, type: ValueType) -> (representative: Value, columns: [[Double]]) {
        let keys = memory.prefix(slot: slot)
        var columns = [[Double]](repeating: [], count: keys.count)
        throughAncestry(keys.map(\.committedGeneration)) { k, index in
            // `prefix` lists only columns with committed values.
            guard let values = keys[k].committed else { return }
            columns[k] = index.map { values[$0] }
        }
        let element: ValueType
        if case .array(let e) = type { element = e } else { element = .real }
        let representative: Value = .array(columns.map { column in
            switch element {
            case .int: .int(Int(column[0]))
            case .bool: .bool(column[0] != 0)
            default: .real(column[0])
            }
        })
        return (representative, columns)
    }
}

/// A reported quantity (`let` at model level) of every particle: one value for all, or a column
/// written in `generation` and read through the ancestry at the end, like memory.
final class PopulationReport: @unchecked Sendable {
    let address: Address
    let type: ValueType
    let uniform: Value?
    let values: UnsafeMutablePointer<Double>?
    /// Reported arrays (`let mu = alpha + beta * x`), one per particle.
    let arrays: UnsafeMutablePointer<Obj>?
    let count: Int
    let generation: Int

    init(address: Address, type: ValueType, uniform: Value?, count: Int, generation: Int, holdsArrays: Bool) {
        self.address = address
        self.type = type
        self.uniform = uniform
        self.count = count
        self.generation = generation
        values = uniform == nil && !holdsArrays ? .allocate(capacity: count) : nil
        values?.initialize(repeating: .nan, count: count)
        arrays = uniform == nil && holdsArrays ? .allocate(capacity: count) : nil
        arrays?.initialize(repeating: .none, count: count)
    }

    deinit {
        values?.deallocate()
        arrays?.deinitialize(count: count)
        arrays?.deallocate()
    }
}

/// The reports of a run in order, created by the first block to make each.
final class PopulationReports: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var entries: [PopulationReport] = []

    func entry(_ ordinal: Int, make: () -> PopulationReport) -> PopulationReport {
        lock.lock()
        defer { lock.unlock() }
        if ordinal < entries.count { return entries[ordinal] }
        entries.append(make())
        return entries[ordinal]
    }
}
