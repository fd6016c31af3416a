import Foundation

/// Kish's effective sample size of importance weights given in log space.
///
/// ESS = (Σ w)² / Σ w², computed with weights scaled by their maximum so none overflows
/// (Kish 1965, Survey Sampling). Returns 0 when every weight is zero.
public func kishEffectiveSampleSize(logWeights: [Double]) -> Double {
    guard let top = logWeights.max(), top > -.infinity else { return 0 }
    var sum = 0.0
    var sumOfSquares = 0.0
    for logWeight in logWeights {
        let w = (logWeight - top).isNaN ? 0 : exp(logWeight - top)
        sum += w
        sumOfSquares += w * w
    }
    return sum * sum / sumOfSquares
}
