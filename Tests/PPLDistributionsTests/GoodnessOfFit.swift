import Foundation
@testable import PPLDistributions

/// Goodness-of-fit and moment checks shared by the sampler tests and their negative controls.
enum GoodnessOfFit {
    /// Draws with fixed seeds; enough for the negative controls (5% scale errors) to be rejected.
    static let drawCount = 50_000
    /// A correct sampler must keep p above this; a wrong one must fall below it.
    static let significance = 1e-4
    /// Moment checks allow this many standard errors.
    static let standardErrors = 5.0

    /// Kolmogorov-Smirnov p-value of draws against a continuous cdf.
    ///
    /// D = max_i max((i+1)/n - F(x_(i)), F(x_(i)-) - i/n); P(D > d) by the Kolmogorov series at
    /// lambda = (sqrt n + 0.12 + 0.11/sqrt n) d (Stephens 1970). F(x-) is F at the next double
    /// below x: draws that underflow are rounded up to the least positive double, which carries
    /// all the mass below it (Gamma with shape 1e-3 puts about half its mass there).
    static func ksPValue(_ draws: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = draws.sorted()
        let n = Double(sorted.count)
        var distance = 0.0
        for (i, x) in sorted.enumerated() {
            distance = max(distance, Double(i + 1) / n - cdf(x), cdf(x.nextDown) - Double(i) / n)
        }
        let root = n.squareRoot()
        let lambda = (root + 0.12 + 0.11 / root) * distance
        if lambda < 0.2 { return 1 }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += (k % 2 == 1 ? term : -term)
            if term < 1e-16 { break }
        }
        return min(max(2 * sum, 0), 1)
    }

    /// Pearson chi-square p-value of integer draws against a pmf on {lower, lower+1, ...}.
    ///
    /// Consecutive values are pooled until each bin expects at least 5 draws; the last bin takes
    /// the rest of the support. df = bins - 1.
    static func chiSquarePValue(_ draws: [Int], lower: Int, upper: Int = .max, logPMF: (Int) -> Double) -> Double {
        let n = Double(draws.count)
        var bins: [(lo: Int, expected: Double)] = []
        var lo = lower, expected = 0.0, covered = 0.0, k = lower
        while k <= upper, covered < 1 - 1e-12, k - lower < 1_000_000 {
            let mass = exp(logPMF(k))
            expected += n * mass
            covered += mass
            if expected >= 5 {
                bins.append((lo, expected))
                lo = k + 1
                expected = 0
            }
            k += 1
        }
        // Whatever mass is left (unlisted tail and an unfinished bin) joins the last bin.
        let rest = n * max(1 - covered, 0) + expected
        if bins.isEmpty { return 1 }
        bins[bins.count - 1].expected += rest
        var observed = [Double](repeating: 0, count: bins.count)
        for draw in draws {
            guard draw >= lower else { observed[0] += 1e9; continue }  // outside the support: reject
            var b = bins.count - 1
            while b > 0, draw < bins[b].lo { b -= 1 }
            observed[b] += 1
        }
        var statistic = 0.0
        for (bin, count) in zip(bins, observed) {
            statistic += (count - bin.expected) * (count - bin.expected) / bin.expected
        }
        let degrees = Double(bins.count - 1)
        if degrees < 1 { return statistic < 1e-9 ? 1 : 0 }
        guard let reference = try? ChiSquared(nu: degrees) else { return 0 }
        return 1 - reference.cdf(statistic)
    }

    /// Sample mean's distance from the true mean in standard errors sqrt(variance / n).
    static func meanZ(_ draws: [Double], mean: Double, variance: Double) -> Double {
        let n = Double(draws.count)
        let sampleMean = draws.reduce(0, +) / n
        return abs(sampleMean - mean) / (variance / n).squareRoot()
    }

    /// Sample variance's distance from the true variance in standard errors sqrt((m4 - s^4) / n).
    static func varianceZ(_ draws: [Double], variance: Double) -> Double {
        let n = Double(draws.count)
        let sampleMean = draws.reduce(0, +) / n
        var m2 = 0.0, m4 = 0.0
        for x in draws {
            let d = (x - sampleMean) * (x - sampleMean)
            m2 += d
            m4 += d * d
        }
        m2 /= n
        m4 /= n
        return abs(m2 - variance) / max((m4 - m2 * m2) / n, 1e-300).squareRoot()
    }
}
