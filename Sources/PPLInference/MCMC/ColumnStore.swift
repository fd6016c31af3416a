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
    var values: [[Double]] = []
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

    /// Reserves room for `draws` draws in every column, present and future.
    mutating func reserve(draws: Int) {
        expectedDraws = draws
        for c in values.indices { values[c].reserveCapacity(draws) }
    }

    /// Starts a new draw; every column gets NaN until `set` fills it.
    mutating func beginDraw() {
        values.withUnsafeMutableBufferPointer { columns in
            for c in columns.indices { columns[c].append(.nan) }
        }
        drawCount += 1
        position = 0
    }

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
            let row = drawCount - 1
            values.withUnsafeMutableBufferPointer { columns in
                for k in latentValues.indices { columns[columnAtPosition[k]][row] = latentValues[k] }
            }
            position = latentValues.count
            return
        }
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
        values[columnAtPosition[position]][drawCount - 1] = x
        position += 1
        return true
    }

    private mutating func setScalar(_ address: Address, _ x: Double, integer: Bool, kind: Int) {
        defer { position += 1 }
        if position < columnAtPosition.count, addresses[columnAtPosition[position]] == address {
            values[columnAtPosition[position]][drawCount - 1] = x
            return
        }
        if let c = indexByAddress[address] {
            values[c][drawCount - 1] = x
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
        values.append(column)
    }

    private mutating func remember(_ column: Int) {
        if position < columnAtPosition.count { columnAtPosition[position] = column } else { columnAtPosition.append(column) }
    }

    mutating func truncate(to count: Int) {
        guard count < drawCount else { return }
        for c in values.indices { values[c].removeLast(drawCount - count) }
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
