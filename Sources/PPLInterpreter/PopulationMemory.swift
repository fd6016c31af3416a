import Foundation
import PPLInference

/// One memory slot's values at one key (`x[t]`) for every particle of a population.
///
/// Values drawn in an earlier generation stay where they were drawn: a particle reads its value
/// through its ancestors (`VMPopulation.ancestry`), so resampling copies nothing here, as in a
/// genealogy. A step writes into `pending`, which replaces `committed` when the step ends, so
/// blocks reading other particles' committed values never see a value of the running step.
final class MemoryColumn: @unchecked Sendable {
    @exclusivity(unchecked) var committed: UnsafeMutablePointer<Double>?
    /// The generation `committed` was written in (resampling starts a new one).
    @exclusivity(unchecked) var committedGeneration = 0
    @exclusivity(unchecked) var committedInstance = 0
    @exclusivity(unchecked) var pending: UnsafeMutablePointer<Double>?
    @exclusivity(unchecked) var pendingInstance = 0
    /// Per block: the step in which the block last wrote its particles' values into `pending`.
    let writtenStep: UnsafeMutablePointer<Int>
    /// Reads and the step of the last one, counted by the first block alone (every block reads the
    /// same keys): a column read again and again is gathered to the current generation.
    @exclusivity(unchecked) var reads = 0
    @exclusivity(unchecked) var lastReadStep = -1

    init(blockCount: Int) {
        writtenStep = .allocate(capacity: blockCount)
        writtenStep.initialize(repeating: -1, count: blockCount)
    }

    deinit {
        committed?.deallocate()
        pending?.deallocate()
        writtenStep.deallocate()
    }
}

/// A population's memory slots: for each slot, its columns by key. Blocks running concurrently
/// create and look up columns under a lock (a few times per block per step); the values in a
/// column are written lock-free, each block in its own particles' range.
final class PopulationMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[Int: MemoryColumn]]
    /// Columns given a pending buffer this step.
    private var touched: [MemoryColumn] = []
    /// Columns read in two steps or more, candidates for gathering at resampling.
    private(set) var hot: [ObjectIdentifier: MemoryColumn] = [:]
    let count: Int
    let blockCount: Int

    init(slots: Int, count: Int, blockCount: Int) {
        self.slots = Array(repeating: [:], count: slots)
        self.count = count
        self.blockCount = blockCount
    }

    func column(slot: Int, key: Int) -> MemoryColumn? {
        lock.lock()
        defer { lock.unlock() }
        return slots[slot][key]
    }

    /// The column at `key` with a pending buffer for `step`, created by the first block to write it.
    func pendingColumn(slot: Int, key: Int, step: Int, instance: Int) -> MemoryColumn {
        lock.lock()
        defer { lock.unlock() }
        let column: MemoryColumn
        if let existing = slots[slot][key] {
            column = existing
        } else {
            column = MemoryColumn(blockCount: blockCount)
            slots[slot][key] = column
        }
        if column.pending == nil {
            let buffer = UnsafeMutablePointer<Double>.allocate(capacity: count)
            buffer.initialize(repeating: .nan, count: count)
            column.pending = buffer
            column.pendingInstance = instance
            touched.append(column)
        }
        return column
    }

    /// Notes a read by the first block in `step`.
    func noteRead(_ column: MemoryColumn, step: Int) {
        guard column.lastReadStep != step else { return }
        column.reads += 1
        column.lastReadStep = step
        if column.reads == 2 {
            lock.lock()
            hot[ObjectIdentifier(column)] = column
            lock.unlock()
        }
    }

    /// The step's pending values become the committed ones, in `generation`.
    func commit(generation: Int) {
        for column in touched {
            column.committed?.deallocate()
            column.committed = column.pending
            column.committedGeneration = generation
            column.committedInstance = column.pendingInstance
            column.pending = nil
        }
        touched.removeAll(keepingCapacity: true)
    }

    /// Columns read in the step just ended that are read repeatedly (`x[0]` read at every step);
    /// those not read in it stop being hot.
    func hotColumns(readIn step: Int) -> [MemoryColumn] {
        hot = hot.filter { $0.value.lastReadStep == step }
        return Array(hot.values)
    }

    /// The keys 0, 1, 2, ... of a slot that have committed values, in order (what `gather` reads).
    func prefix(slot: Int) -> [MemoryColumn] {
        var out: [MemoryColumn] = []
        while let column = slots[slot][out.count], column.committed != nil { out.append(column) }
        return out
    }
}

/// A step's choices: per choice (in the order every block makes them), its key and its values.
/// A choice stored in memory hands over the memory column's buffer; the others get one here.
final class PopulationEvents: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var keys: [ChoiceKey] = []
    private(set) var columns: [UnsafeMutablePointer<Double>] = []
    /// Buffers owned here, reused from step to step.
    private var owned: [UnsafeMutablePointer<Double>] = []
    private var ownedUsed = 0
    let count: Int

    init(count: Int) { self.count = count }

    /// The values buffer of the step's choice number `ordinal`; `memory` when the choice is stored there.
    func column(_ ordinal: Int, key: ChoiceKey, memory: UnsafeMutablePointer<Double>?) -> UnsafeMutablePointer<Double> {
        lock.lock()
        defer { lock.unlock() }
        if ordinal < columns.count { return columns[ordinal] }
        keys.append(key)
        if let memory {
            columns.append(memory)
        } else {
            if ownedUsed == owned.count {
                let buffer = UnsafeMutablePointer<Double>.allocate(capacity: count)
                buffer.initialize(repeating: .nan, count: count)
                owned.append(buffer)
            }
            columns.append(owned[ownedUsed])
            ownedUsed += 1
        }
        return columns[ordinal]
    }

    func reset() {
        keys.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
        ownedUsed = 0
    }

    deinit { for buffer in owned { buffer.deallocate() } }
}
