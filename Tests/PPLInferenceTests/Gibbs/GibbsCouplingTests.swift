import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

// The maximal coupling behind conjugate updates (ConjugateStep): X ~ q kept when U q(X) <= p(X),
// else a draw from the residual (p - q)+. Whatever q, the result must be p-distributed.

@Suite("maximal coupling of conjugate draws")
struct GibbsCouplingTests {
    /// n coupled draws of p with proposal q; `keepAlways` is the negative control (X is always kept: a draw from q).
    func draws(p: ConjugateMember, q: ConjugateMember, n: Int, seed: UInt64, keepAlways: Bool = false) -> (draws: [Double], kept: Int) {
        var rng = RandomStream(seed: seed)
        var out: [Double] = []
        var kept = 0
        for _ in 0..<n {
            let x = q.sample(using: &rng)
            if keepAlways || p.keepsCoupled(x, proposal: q, logUniform: log(rng.uniform())) {
                kept += 1
                out.append(x.asReal ?? .nan)
            } else {
                out.append(p.residualDraw(excess: q, tries: 10_000_000, using: &rng).0.asReal ?? .nan)
            }
        }
        return (out, kept)
    }

    @Test("coupled draws follow p by KS, keep X at rate 1 - TV(p, q); always keeping X is rejected")
    func coupledDrawsFollowTheTarget() throws {
        let n = 20_000
        // KS critical value at level 0.001: 1.95 / sqrt(n).
        let critical = 1.95 / Double(n).squareRoot()
        let p = try Normal(mu: 0.3, sigma: 1.0), q = try Normal(mu: 0.0, sigma: 1.3)
        let (good, kept) = draws(p: .normal(p), q: .normal(q), n: n, seed: 7)
        #expect(ksDistance(good, p.cdf) < critical, "KS \(ksDistance(good, p.cdf))")
        // TV(p, q) by quadrature: the kept fraction is 1 - TV, within 4.5 binomial standard errors.
        var tv = 0.0
        let h = 5e-3
        for k in -2_400...2_400 {
            let x = Double(k) * h
            tv += max(0, exp(p.logDensity(x)) - exp(q.logDensity(x))) * h
        }
        let rate = Double(kept) / Double(n)
        #expect(abs(rate - (1 - tv)) < 4.5 * (tv * (1 - tv) / Double(n)).squareRoot(), "kept \(rate), 1 - TV \(1 - tv)")
        let (wrong, _) = draws(p: .normal(p), q: .normal(q), n: n, seed: 7, keepAlways: true)
        #expect(ksDistance(wrong, p.cdf) > critical, "KS \(ksDistance(wrong, p.cdf))")

        // A bounded family with a far proposal: mostly residual draws, still p-distributed.
        let beta = try Beta(alpha: 3, beta: 5), far = try Beta(alpha: 6, beta: 2)
        let (betaDraws, _) = draws(p: .beta(beta), q: .beta(far), n: n, seed: 8)
        #expect(ksDistance(betaDraws, beta.cdf) < critical, "KS \(ksDistance(betaDraws, beta.cdf))")
    }
}
