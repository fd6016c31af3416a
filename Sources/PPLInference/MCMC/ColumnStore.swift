import PPLDistributions

/// Scalar columns built from draws whose addresses may change from draw to draw.
///
/// Non-scalar values are flattened (`theta[0]`, `m[1][2]`); a column missing from a draw
/// (a choice of a branch not taken) holds NaN there.
struct ColumnStore: Sendable {
    /// 0 latent, 1 deterministic, 2 return value: the Posterior's column order.
    var addresses: [Address] = []
    var kinds: [Int] = []
    var isInteger: [Bool] = []
    /// draws[column][draw]; read only after `finish()`.
    var values: [[Double]] {
        precondition(pendingDraws == 0, "internal error: ColumnStore read before finish()")
        return storage
    }
    private var storage: [[Double]] = []
    var drawCount = 0
    private var indexByAddress: [Address: Int] = [:]
    /// The column set at each position of the previous draw: static models set the same
    /// addresses in the same order every draw, so an equality check replaces hashing.
    private var columnAtPosition: [Int] = []
    private var position = 0
    /// Draws expected in all (`reserve`), so that columns do not grow by copying.
    private var expectedDraws = 0
    /// A draw's latent values, reused from draw to draw.
    private var latentValues: [Double] = []
    /// A static model's latent values of the last `pendingDraws` draws, row-major (one row per draw,
    /// slot k for column `pendingColumns[k]`), not yet in their columns: a draw is then one append of
    /// contiguous memory, as a hand-written sampler's is, instead of a write to every column.
    /// Pending columns hold `drawCount - pendingDraws` values, or one fewer before the current
    /// draw's row is written; `flush` moves the rows in and pads the current draw with NaN.
    private var pendingRows: [Double] = []
    private var pendingColumns: [Int] = []
    private var isPending: [Bool] = []
    private var pendingDraws = 0

    /// Reserves room for `draws` draws in every column, present and future.
    mutating func reserve(draws: Int) {
        expectedDraws = draws
        for c in storage.indices { storage[c].reserveCapacity(draws) }
    }

    /// Starts a new draw; every column gets NaN until `set` fills it (pending columns wait for their row).
    mutating func beginDraw() {
        drawCount += 1
        position = 0
        if pendingDraws > 0 && pendingColumns.count == storage.count { return }
        let active = pendingDraws > 0, pending = isPending
        storage.withUnsafeMutableBufferPointer { columns in
            for c in columns.indices where !(active && c < pending.count && pending[c]) { columns[c].append(.nan) }
        }
    }

    /// Moves the pending rows into their columns; every column then holds `drawCount` values.
    private mutating func flush() {
        guard pendingDraws > 0 || !pendingColumns.isEmpty else { return }
        let width = pendingColumns.count, draws = pendingDraws, total = drawCount
        let rows = pendingRows, targets = pendingColumns
        storage.withUnsafeMutableBufferPointer { columns in
            for (k, c) in targets.enumerated() {
                for d in 0..<draws { columns[c].append(rows[d * width + k]) }
                while columns[c].count < total { columns[c].append(.nan) }
            }
        }
        for c in targets { isPending[c] = false }
        pendingRows.removeAll(keepingCapacity: true)
        pendingColumns.removeAll(keepingCapacity: true)
        pendingDraws = 0
    }

    /// Ends the run: after this, `values` may be read.
    mutating func finish() { flush() }

    mutating func set(_ address: Address, _ value: Value, kind: Int) {
        switch value {
        case .real(let x): setScalar(address, x, integer: false, kind: kind)
        case .int(let n): setScalar(address, Double(n), integer: true, kind: kind)
        case .bool(let b): setScalar(address, b ? 1 : 0, integer: true, kind: kind)
        case .array(let items):
            for (i, item) in items.enumerated() { set(address.appending(index: i), item, kind: kind) }
        case .matrix(let m):
            for i in 0..<m.rows {
                for j in 0..<m.columns { setScalar(address.appending(index: i).appending(index: j), m[i, j], integer: false, kind: kind) }
            }
        }
    }

    /// Sets every latent choice of `trace`; with `samePositions` (a static model, whose latents come
    /// in the same order every run) by position after the first draws, without building addresses.
    mutating func setLatents<T: ModelTrace>(of trace: T, samePositions: Bool) {
        // A static model's scalar latents, read in one call and written by position.
        if samePositions, drawCount > 1, position == 0, trace.latentCount <= columnAtPosition.count,
           trace.scalarLatents(into: &latentValues) {
            if pendingDraws > 0 && pendingColumns.count != latentValues.count { flush() }
            if pendingDraws == 0 {
                // Start a block: these columns give back the NaN `beginDraw` gave them for this draw.
                flush()
                pendingColumns.append(contentsOf: columnAtPosition[0..<latentValues.count])
                pendingRows.reserveCapacity(max(1, expectedDraws - drawCount + 1) * latentValues.count)
                if isPending.count < storage.count { isPending += repeatElement(false, count: storage.count - isPending.count) }
                let targets = pendingColumns
                storage.withUnsafeMutableBufferPointer { columns in
                    for c in targets { columns[c].removeLast() }
                }
                for c in targets { isPending[c] = true }
            }
            pendingRows.append(contentsOf: latentValues)
            pendingDraws += 1
            position = latentValues.count
            return
        }
        flush()
        for k in 0..<trace.latentCount {
            if samePositions, setAtSamePosition(trace.latentValueAndSupport(k).value) { continue }
            let r = trace.latent(k)
            set(r.address, r.value, kind: 0)
        }
    }

    /// Fills the next position with a scalar when the caller knows it is the column this position
    /// held in the previous draw (a static model's latents, in order); false when it cannot (first
    /// draw, or a non-scalar value), and the caller sets it by address instead.
    private mutating func setAtSamePosition(_ value: Value) -> Bool {
        guard position < columnAtPosition.count, drawCount > 1 else { return false }
        let x: Double
        switch value {
        case .real(let v): x = v
        case .int(let n): x = Double(n)
        case .bool(let b): x = b ? 1 : 0
        case .array, .matrix: return false
        }
        let c = columnAtPosition[position]
        if isPending(c) { flush() }
        storage[c][drawCount - 1] = x
        position += 1
        return true
    }

    private mutating func setScalar(_ address: Address, _ x: Double, integer: Bool, kind: Int) {
        defer { position += 1 }
        if position < columnAtPosition.count, addresses[columnAtPosition[position]] == address {
            if isPending(columnAtPosition[position]) { flush() }
            storage[columnAtPosition[position]][drawCount - 1] = x
            return
        }
        if let c = indexByAddress[address] {
            if isPending(c) { flush() }
            storage[c][drawCount - 1] = x
            remember(c)
            return
        }
        remember(addresses.count)
        indexByAddress[address] = addresses.count
        addresses.append(address)
        kinds.append(kind)
        isInteger.append(integer)
        var column: [Double] = []
        column.reserveCapacity(max(expectedDraws, drawCount))
        column.append(contentsOf: repeatElement(.nan, count: drawCount))
        column[drawCount - 1] = x
        storage.append(column)
    }

    private func isPending(_ column: Int) -> Bool {
        pendingDraws > 0 && column < isPending.count && isPending[column]
    }

    private mutating func remember(_ column: Int) {
        if position < columnAtPosition.count { columnAtPosition[position] = column } else { columnAtPosition.append(column) }
    }

    mutating func truncate(to count: Int) {
        guard count < drawCount else { return }
        flush()
        for c in storage.indices { storage[c].removeLast(drawCount - count) }
        drawCount = count
    }
}

/// The union of several chains' columns in a common order: kind, then first appearance.
struct ColumnLayout {
    var addresses: [Address] = []
    var isInteger: [Bool] = []

    init(_ stores: [ColumnStore]) {
        var seen: [Address: Int] = [:]
        var entries: [(kind: Int, order: Int, address: Address, integer: Bool)] = []
        for store in stores {
            for (c, address) in store.addresses.enumerated() where seen[address] == nil {
                seen[address] = entries.count
                entries.append((store.kinds[c], entries.count, address, store.isInteger[c]))
            }
        }
        entries.sort { ($0.kind, $0.order) < ($1.kind, $1.order) }
        addresses = entries.map(\.address)
        isInteger = entries.map(\.integer)
    }

    /// draws[column][draw] of one chain in this layout, NaN where the chain never had the column.
    func draws(of store: ColumnStore, count: Int) -> [[Double]] {
        var index: [Address: Int] = [:]
        for (c, address) in store.addresses.enumerated() { index[address] = c }
        return addresses.map { address in
            guard let c = index[address] else { return [Double](repeating: .nan, count: count) }
            return Array(store.values[c].prefix(count))
        }
    }
}
