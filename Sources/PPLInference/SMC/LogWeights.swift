import Foundation

/// Arithmetic on log weights that never leaves log space where it matters.
///
/// log Σ exp(w_i) = m + log Σ exp(w_i - m) with m = max w_i, so no term overflows.
public enum LogWeights {
    /// log Σ exp(w_i); -infinity for no terms or all -infinity.
    public static func logSumExp(_ logWeights: some Collection<Double>) -> Double {
        var maximum = -Double.infinity
        for w in logWeights where w > maximum { maximum = w }
        guard maximum.isFinite else { return maximum == .infinity ? .infinity : -.infinity }
        var sum = 0.0
        for w in logWeights { sum += exp(w - maximum) }
        return maximum + log(sum)
    }

    /// Weights W_i = exp(w_i - logΣexp(w)) summing to 1; nil when every weight is zero.
    public static func normalised(_ logWeights: [Double]) -> [Double]? {
        let total = logSumExp(logWeights)
        guard total.isFinite else { return nil }
        return logWeights.map { exp($0 - total) }
    }

    /// Kish's effective sample size (Σw)² / Σw² of unnormalised log weights; 0 when all are zero.
    ///
    /// Kish (1965), Survey Sampling, sec. 11.7.
    public static func effectiveSampleSize(_ logWeights: [Double]) -> Double {
        var maximum = -Double.infinity
        for w in logWeights where w > maximum { maximum = w }
        guard maximum.isFinite else { return 0 }
        var sum = 0.0, sumOfSquares = 0.0
        for w in logWeights {
            let x = exp(w - maximum)
            sum += x
            sumOfSquares += x * x
        }
        return sum * sum / sumOfSquares
    }

    /// log of the mean weight, log (1/N) Σ exp(w_i), with its delta-method standard error.
    ///
    /// se(log mean) ≈ sd(w) / (√N mean(w)) (first-order delta method on log of a mean);
    /// computed on exp(w_i - max) so it is scale free.
    public static func logMean(_ logWeights: [Double]) -> (logMean: Double, standardError: Double) {
        let n = Double(logWeights.count)
        guard n > 0 else { return (-.infinity, .nan) }
        let total = logSumExp(logWeights)
        guard total.isFinite else { return (total, .nan) }
        var maximum = -Double.infinity
        for w in logWeights where w > maximum { maximum = w }
        var sum = 0.0, sumOfSquares = 0.0
        for w in logWeights {
            let x = exp(w - maximum)
            sum += x
            sumOfSquares += x * x
        }
        let mean = sum / n
        let variance = max(0, sumOfSquares / n - mean * mean) * n / max(n - 1, 1)
        return (total - log(n), (variance / n).squareRoot() / mean)
    }
}
