import Testing
@testable import PPL

@Suite struct HistogramTests {
    @Test func integerDrawsGetOneBinPerValue() {
        let h = Histogram(values: [0, 1, 1, 2, 2, 2], integer: true)
        #expect(h.bins == [1, 2, 3])
        #expect(h.sparkline == "▃▅█")
    }

    @Test func weightsMoveMass() {
        let h = Histogram(values: [0, 1, 2], weights: [1, 3, 0], integer: true)
        #expect(h.bins == [1, 3])
    }

    @Test func nonFiniteDrawsAreIgnored() {
        let h = Histogram(values: [.nan, .infinity, 3, 3], integer: true)
        #expect(h.bins == [2])
    }
}
