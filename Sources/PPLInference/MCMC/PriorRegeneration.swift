import Foundation
import PPLDistributions

/// A Metropolis-Hastings proposal that redraws one latent from its prior given the others, through `Model.generate`.
///
/// α = p(t') / p(t) · p(x | ·) / p(x' | ·), times, when the set of choices can change, the priors of
/// choices that disappear over those that appear and the address-selection ratio N / N'.
/// Shared by the MH engine and the Gibbs engine's MH kernel.
enum PriorRegeneration {
    /// The proposed trace and log α; nil when the proposal has zero density or no longer has the address.
    static func propose<M: Model>(_ model: M, from trace: M.Trace, index: Int, record: ChoiceRecord,
                                  fixedStructure: Bool,
                                  using rng: inout RandomStream) throws(ModelError) -> (trace: M.Trace, logAlpha: Double)? {
        let count = trace.latentCount
        var others: [Address: Value] = [:]
        for k in 0..<count where k != index {
            let r = trace.latent(k)
            others[r.address] = r.value
        }
        let proposed = try model.generate(constraints: others, using: &rng)
        guard proposed.logJoint > -.infinity, let newIndex = proposed.latentIndex(of: record.address) else { return nil }
        var logAlpha = proposed.logJoint - trace.logJoint - (proposed.latent(newIndex).logDensity - record.logDensity)
        if !fixedStructure {
            for k in 0..<proposed.latentCount where k != newIndex {
                let r = proposed.latent(k)
                if trace.latentIndex(of: r.address) == nil { logAlpha -= r.logDensity }
            }
            for k in 0..<count where k != index {
                let r = trace.latent(k)
                if proposed.latentIndex(of: r.address) == nil { logAlpha += r.logDensity }
            }
            logAlpha += log(Double(count)) - log(Double(proposed.latentCount))
        }
        return (proposed, logAlpha)
    }
}
