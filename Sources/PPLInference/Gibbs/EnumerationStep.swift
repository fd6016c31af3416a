import Foundation
import PPLDistributions

extension GibbsChain {
    /// Draws a finite discrete choice from its full conditional by scoring every value.
    ///
    /// p(x_a = v | rest) ∝ p(t with x_a = v), and only the Markov blanket changes, so the
    /// weights are `Model.update` log weights relative to the current value.
    mutating func enumerationStep(_ trace: inout M.Trace, index: Int, values: [Value],
                                  using rng: inout RandomStream) throws(ModelError) {
        let current = trace.latent(index).value
        var weights = [Double](repeating: 0, count: values.count)
        var maximum = -Double.infinity
        // The last value scored stays in the trace until the draw, saving an update when it is drawn.
        let last = values.lastIndex { $0 != current }
        var held: (k: Int, update: TraceUpdate<M.Undo>)?
        for (k, value) in values.enumerated() {
            if value != current {
                if k == last {
                    do throws(ModelError) {
                        let update = try model.update(&trace, latent: index, to: value, using: &rng)
                        held = (k, update)
                        weights[k] = update.logWeight.isNaN ? -.infinity : update.logWeight
                    } catch {
                        guard Self.rejects(error) else { throw error }
                        weights[k] = -.infinity
                    }
                } else {
                    weights[k] = try relativeLogDensity(&trace, index: index, value: value, using: &rng)
                }
            }
            if case .temper(let factor) = settings.fault { weights[k] *= factor }
            maximum = max(maximum, weights[k])
        }
        var chosen: Int?
        if maximum.isFinite {
            var total = 0.0
            for k in weights.indices {
                weights[k] = exp(weights[k] - maximum)
                total += weights[k]
            }
            var u = rng.uniform() * total
            chosen = values.count - 1
            for k in weights.indices {
                u -= weights[k]
                if u < 0 { chosen = k; break }
            }
        }
        if let held {
            if chosen == held.k && weights[held.k] > 0 { return }
            model.revert(&trace, held.update)
        }
        guard let chosen, weights[chosen] > 0 else { return }
        if values[chosen] != current { try set(&trace, index: index, to: values[chosen], using: &rng) }
    }
}
