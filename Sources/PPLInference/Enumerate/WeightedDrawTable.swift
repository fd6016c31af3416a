import PPLDistributions

/// Scalar columns of draws built one draw at a time, for engines that return whole traces.
///
/// Columns appear in order of first sight: latents, then deterministic quantities, then
/// `return`; a choice absent from a draw (stochastic control flow) is NaN there.
struct WeightedDrawTable {
    private(set) var latentColumns: [Address] = []
    private(set) var latentIsInteger: [Bool] = []
    private var latentIndex: [Address: Int] = [:]
    private(set) var latentDraws: [[Double]] = []
    private(set) var otherColumns: [Address] = []
    private(set) var otherIsInteger: [Bool] = []
    private var otherIndex: [Address: Int] = [:]
    private(set) var otherDraws: [[Double]] = []
    private(set) var drawCount = 0
    private(set) var logWeights: [Double] = []

    static let returnAddress = Address("return")

    /// Adds one draw: its latent choices, deterministic quantities, return value and log weight.
    mutating func add<Latents: Sequence>(latents: Latents, deterministic: [(Address, Value)],
                                          returnValue: Value?, logWeight: Double)
    where Latents.Element == (Address, Value) {
        for (address, value) in latents {
            ValueFlattening.forEachScalar(address, value) { column, x, isInteger in
                set(column, x, isInteger, latent: true)
            }
        }
        for (address, value) in deterministic {
            ValueFlattening.forEachScalar(address, value) { column, x, isInteger in
                set(column, x, isInteger, latent: false)
            }
        }
        if let returnValue {
            ValueFlattening.forEachScalar(Self.returnAddress, returnValue) { column, x, isInteger in
                set(column, x, isInteger, latent: false)
            }
        }
        logWeights.append(logWeight)
        drawCount += 1
        for c in latentDraws.indices where latentDraws[c].count < drawCount { latentDraws[c].append(.nan) }
        for c in otherDraws.indices where otherDraws[c].count < drawCount { otherDraws[c].append(.nan) }
    }

    private mutating func set(_ column: Address, _ x: Double, _ isInteger: Bool, latent: Bool) {
        if latent {
            if let c = latentIndex[column] {
                if latentDraws[c].count == drawCount { latentDraws[c].append(x) }
            } else {
                latentIndex[column] = latentColumns.count
                latentColumns.append(column)
                latentIsInteger.append(isInteger)
                latentDraws.append([Double](repeating: .nan, count: drawCount) + [x])
            }
        } else {
            if let c = otherIndex[column] {
                if otherDraws[c].count == drawCount { otherDraws[c].append(x) }
            } else {
                otherIndex[column] = otherColumns.count
                otherColumns.append(column)
                otherIsInteger.append(isInteger)
                otherDraws.append([Double](repeating: .nan, count: drawCount) + [x])
            }
        }
    }

    var columns: [Address] { latentColumns + otherColumns }
    var columnIsInteger: [Bool] { latentIsInteger + otherIsInteger }
    /// draws[column][draw]
    var draws: [[Double]] { latentDraws + otherDraws }
}

/// Flattens language values into scalar posterior columns: `theta[0]`, `m[1][2]`, ...
enum ValueFlattening {
    static func forEachScalar(_ address: Address, _ value: Value,
                              _ body: (Address, Double, Bool) -> Void) {
        switch value {
        case .real(let x): body(address, x, false)
        case .int(let n): body(address, Double(n), true)
        case .bool(let b): body(address, b ? 1 : 0, true)
        case .array(let items):
            for (i, item) in items.enumerated() { forEachScalar(address.appending(index: i), item, body) }
        case .matrix(let m):
            for i in 0..<m.rows {
                for j in 0..<m.columns { body(address.appending(index: i).appending(index: j), m[i, j], false) }
            }
        }
    }
}
