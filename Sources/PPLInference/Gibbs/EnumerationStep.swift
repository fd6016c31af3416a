import Foundation
import PPLDistributions

extension GibbsChain {
    /// Draws a finite discrete choice from its full conditional by scoring every value.
    ///
    /// p(x_a = v | rest) ∝ p(t with x_a = v), and only the Markov blanket changes, so the
    /// weights are the log-joint differences `Model.chooseValue` reports relative to the current value.
    mutating func enumerationStep(_ trace: inout M.Trace, index: Int, values: [Value],
                                  using rng: inout RandomStream) throws(ModelError) {
        var temper: Double?
        if case .temper(let factor) = settings.fault { temper = factor }
        // Drawn before scoring: the uniform does not depend on the weights, and the model holds the stream meanwhile.
        let u = rng.uniform()
        try model.chooseValue(&trace, latent: index, among: values, choosing: { logWeights in
            Self.drawIndex(logWeights, temper: temper, uniform: u)
        }, using: &rng)
    }

    /// The index k drawn with probability ∝ exp(logWeights[k]) by inverting the CDF at `uniform`; nil when every weight is zero.
    static func drawIndex(_ logWeights: [Double], temper: Double?, uniform: Double) -> Int? {
        var maximum = -Double.infinity
        for w in logWeights { maximum = max(maximum, (temper.map { w * $0 } ?? w)) }
        guard maximum.isFinite else { return nil }
        var total = 0.0
        for w in logWeights { total += exp((temper.map { w * $0 } ?? w) - maximum) }
        var u = uniform * total
        var last: Int?
        for (k, w) in logWeights.enumerated() {
            let weight = exp((temper.map { w * $0 } ?? w) - maximum)
            guard weight > 0 else { continue }
            last = k
            u -= weight
            if u < 0 { return k }
        }
        return last
    }
}
