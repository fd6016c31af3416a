import Foundation

/// A one-line terminal histogram of (possibly weighted) draws, drawn with block characters.
public struct Histogram: Sendable {
    public var bins: [Double]
    public var lower: Double
    public var upper: Double

    /// Bins the finite draws into `binCount` equal-width bins between their 1% and 99% weighted quantiles,
    /// so one far outlier does not squash the picture; integer draws get one bin per value when few.
    public init(values: [Double], weights: [Double]? = nil, binCount: Int = 16, integer: Bool = false) {
        var pairs: [(Double, Double)] = []
        pairs.reserveCapacity(values.count)
        for (i, x) in values.enumerated() where x.isFinite {
            let w = weights?[i] ?? 1
            if w > 0, w.isFinite { pairs.append((x, w)) }
        }
        guard !pairs.isEmpty else { bins = []; lower = 0; upper = 0; return }
        pairs.sort { $0.0 < $1.0 }
        let total = pairs.reduce(0) { $0 + $1.1 }
        func quantile(_ p: Double) -> Double {
            var cumulative = 0.0
            for (x, w) in pairs {
                cumulative += w / total
                if cumulative >= p { return x }
            }
            return pairs[pairs.count - 1].0
        }
        var lo = quantile(0.01), hi = quantile(0.99)
        var count = binCount
        if integer {
            lo = pairs[0].0; hi = pairs[pairs.count - 1].0
            if hi - lo + 1 <= Double(binCount) { count = Int(hi - lo) + 1; hi += 1 }
        }
        if hi <= lo { hi = lo + 1; count = 1 }
        var bins = [Double](repeating: 0, count: count)
        for (x, w) in pairs {
            let position = Int(((x - lo) / (hi - lo) * Double(count)).rounded(.down))
            bins[min(max(position, 0), count - 1)] += w
        }
        self.bins = bins
        self.lower = lo
        self.upper = hi
    }

    /// `▁▃▇█▅▂` scaled to the tallest bin.
    public var sparkline: String {
        let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        guard let top = bins.max(), top > 0 else { return "" }
        return String(bins.map { b in
            b == 0 ? blocks[0] : blocks[max(1, Int((b / top * 8).rounded()))]
        })
    }
}
