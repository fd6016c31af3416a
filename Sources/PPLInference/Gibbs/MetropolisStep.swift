import Foundation
import PPLDistributions

extension GibbsChain {
    /// A single-site Metropolis-Hastings update with the MH engine's proposals (`SiteProposal`).
    ///
    /// α = p(t') q(x | x') / (p(t) q(x' | x)) from `Model.update`, with the address-selection
    /// correction log N - log N' when the number of latents can change; prior proposals go
    /// through `Model.generate`. Step sizes adapt during warm-up towards the proposal's target
    /// acceptance rate (Andrieu & Thoms 2008).
    mutating func metropolisStep(_ trace: inout M.Trace, index: Int, site s: Int, adapting: Bool,
                                 using rng: inout RandomStream) throws(ModelError) {
        let (value, support) = trace.latentValueAndSupport(index)
        let outcome = SiteProposal.propose(value, in: support, stepSize: exp(sites[s].logStepSize), fault: .none, using: &rng)
        let probability: Double
        let accepted: Bool
        switch outcome {
        case .skip:
            return
        case .fromPrior:
            (probability, accepted) = try priorStep(&trace, index: index, record: trace.latent(index), using: &rng)
        case .move(let move):
            guard move.logHastings > -.infinity else {
                (probability, accepted) = (0, false)
                break
            }
            let count = trace.latentCount
            do throws(ModelError) {
                let update = try model.update(&trace, latent: index, to: move.value, using: &rng)
                var logAlpha = update.logWeight + move.logHastings
                if !fixedStructure { logAlpha += log(Double(count)) - log(Double(trace.latentCount)) }
                accepted = !logAlpha.isNaN && (logAlpha >= 0 || log(rng.uniformPositive()) < logAlpha)
                if !accepted { model.revert(&trace, update) }
                probability = logAlpha.isNaN ? 0 : min(1, exp(logAlpha))
            } catch {
                guard Self.rejects(error) else { throw error }
                (probability, accepted) = (0, false)
            }
            if adapting && move.usesStepSize {
                sites[s].adaptations += 1
                let gain = pow(Double(sites[s].adaptations), -0.6)
                sites[s].logStepSize = min(12, max(-20, sites[s].logStepSize + gain * (probability - move.targetAcceptance)))
            }
        }
        if !adapting {
            sites[s].proposed += 1
            if accepted { sites[s].accepted += 1 }
        }
    }

    /// Redraws one latent from its prior given the others (`PriorRegeneration`).
    private func priorStep(_ trace: inout M.Trace, index: Int, record: ChoiceRecord,
                           using rng: inout RandomStream) throws(ModelError) -> (Double, Bool) {
        let proposal: (trace: M.Trace, logAlpha: Double)?
        do throws(ModelError) {
            proposal = try PriorRegeneration.propose(model, from: trace, index: index, record: record,
                                                     fixedStructure: fixedStructure, using: &rng)
        } catch {
            guard Self.rejects(error) else { throw error }
            return (0, false)
        }
        guard let proposal else { return (0, false) }
        let logAlpha = proposal.logAlpha
        let accepted = !logAlpha.isNaN && (logAlpha >= 0 || log(rng.uniformPositive()) < logAlpha)
        if accepted { trace = proposal.trace }
        return (logAlpha.isNaN ? 0 : min(1, exp(logAlpha)), accepted)
    }
}
