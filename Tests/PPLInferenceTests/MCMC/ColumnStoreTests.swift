import PPLDistributions
@testable import PPLInference
import Testing

/// A trace with given latent values at `z[0]`, `z[1]`, ...: what `ColumnStore` reads of a model.
private struct FixedTrace: ModelTrace {
    var values: [Value]
    var latentCount: Int { values.count }
    func latent(_ index: Int) -> ChoiceRecord {
        ChoiceRecord(address: Address("z").appending(index: index), value: values[index], logDensity: 0, support: .real)
    }
    func latentIndex(of address: Address) -> Int? { nil }
    var logPrior: Double { 0 }
    var logLikelihood: Double { 0 }
    var observations: [ChoiceRecord] { [] }
    var deterministic: [(Address, Value)] { [] }
    var returnValue: Value? { nil }
}

@Suite struct ColumnStoreTests {
    /// Records the same draws by position (a static model: rows kept row-major until `finish`) and
    /// by address (the reference), with a deterministic column that appears late and a truncation
    /// while rows are pending; with `arrayLatent`, latent 2 is a vector (rows cannot be used).
    static func record(samePositions: Bool, arrayLatent: Bool) -> ColumnStore {
        var store = ColumnStore()
        store.reserve(draws: 12)
        for draw in 0..<12 {
            let base = Double(draw)
            var values: [Value] = [.real(base), .int(draw % 3), .bool(draw % 2 == 0), .real(-base)]
            if arrayLatent { values[2] = .array([.real(base / 2), .real(base / 4)]) }
            store.beginDraw()
            store.setLatents(of: FixedTrace(values: values), samePositions: samePositions)
            if draw >= 4 { store.set(Address("d"), .real(base * 10), kind: 1) }
            if draw == 10 { store.truncate(to: 9) }
        }
        store.finish()
        return store
    }

    @Test(arguments: [false, true])
    func rowsKeptByPositionEqualColumnsSetByAddress(arrayLatent: Bool) {
        let fast = Self.record(samePositions: true, arrayLatent: arrayLatent)
        let reference = Self.record(samePositions: false, arrayLatent: arrayLatent)
        #expect(fast.drawCount == 10)
        #expect(fast.addresses == reference.addresses)
        #expect(fast.addresses.map(\.description) == (arrayLatent ? ["z[0]", "z[1]", "z[2][0]", "z[2][1]", "z[3]", "d"]
                                                                  : ["z[0]", "z[1]", "z[2]", "z[3]", "d"]))
        #expect(fast.values.count == reference.values.count)
        for (a, b) in zip(fast.values, reference.values) {
            #expect(a.count == 10)
            let same = a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            #expect(same, "\(a) vs \(b)")
        }
        // By hand: z[0] is the draw number (draws 0...8, then 11 after the truncation), d is NaN before draw 4.
        let kept = (0..<9).map(Double.init) + [11]
        #expect(fast.values[0] == kept)
        let d = fast.values[arrayLatent ? 5 : 4]
        let missing = d[0..<4].allSatisfy(\.isNaN)
        let tens = kept[4...].map { $0 * 10 }
        #expect(missing)
        #expect(Array(d[4...]) == tens)
    }
}
