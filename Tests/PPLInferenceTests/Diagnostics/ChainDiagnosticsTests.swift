import Foundation
import Testing
@testable import PPLInference

/// One case of Fixtures/diagnostics.json, written by scripts/fixtures/diagnostics_arviz.py (ArviZ 0.23.4).
private struct DiagnosticsCase: Decodable {
    var name: String
    var draws: [[Double]]
    var mean, sd, q05, q50, q95: Double
    var essBulk, essTail, rhat, mcseMean: Double?
}

private struct DiagnosticsFixture: Decodable {
    struct Kish: Decodable { var logWeights: [Double]; var ess: Double }
    var cases: [DiagnosticsCase]
    var kish: Kish
}

private func loadFixture() throws -> DiagnosticsFixture {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/diagnostics", withExtension: "json"))
    return try JSONDecoder().decode(DiagnosticsFixture.self, from: Data(contentsOf: url))
}

private func close(_ actual: Double?, _ expected: Double?, relative: Double = 1e-6) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case (let a?, let e?): return abs(a - e) <= relative * max(1, abs(e))
    default: return false
    }
}

@Suite struct ChainDiagnosticsTests {
    @Test(arguments: ["iid", "ar1_rho0.9", "different_means", "odd_draws_skewed", "ties_bernoulli",
                      "single_chain_ar1", "heavy_tails"])
    func summaryAgreesWithArviZ(_ name: String) throws {
        let fixture = try loadFixture()
        let c = try #require(fixture.cases.first { $0.name == name })
        let s = Summary(chains: c.draws)
        #expect(close(s.mean, c.mean), "mean \(String(describing: s.mean)) vs \(c.mean)")
        #expect(close(s.sd, c.sd), "sd")
        #expect(close(s.q05, c.q05) && close(s.q50, c.q50) && close(s.q95, c.q95), "quantiles")
        #expect(close(s.ess, c.essBulk), "bulk ESS \(String(describing: s.ess)) vs \(String(describing: c.essBulk))")
        #expect(close(s.essTail, c.essTail), "tail ESS \(String(describing: s.essTail)) vs \(String(describing: c.essTail))")
        #expect(close(s.rhat, c.rhat), "R-hat \(String(describing: s.rhat)) vs \(String(describing: c.rhat))")
        #expect(close(s.mcse, c.mcseMean), "MCSE \(String(describing: s.mcse)) vs \(String(describing: c.mcseMean))")
    }

    @Test func diagnosticsSeparateGoodFromBadChains() throws {
        let fixture = try loadFixture()
        let iid = try #require(fixture.cases.first { $0.name == "iid" })
        let shifted = try #require(fixture.cases.first { $0.name == "different_means" })
        // The same statistic that passes iid draws flags a chain with a shifted mean.
        #expect(try #require(Summary(chains: iid.draws).rhat) < 1.01)
        #expect(try #require(Summary(chains: shifted.draws).rhat) > 1.05)
    }

    @Test func kishESSAgreesWithTheDirectFormula() throws {
        let fixture = try loadFixture()
        let ess = kishEffectiveSampleSize(logWeights: fixture.kish.logWeights)
        #expect(abs(ess - fixture.kish.ess) <= 1e-9 * fixture.kish.ess)
        #expect(kishEffectiveSampleSize(logWeights: [0, 0, 0, 0]) == 4)
        #expect(kishEffectiveSampleSize(logWeights: [-.infinity, -.infinity]) == 0)
        // Huge log weights must not overflow.
        #expect(abs(kishEffectiveSampleSize(logWeights: [1000, 1000 + log(3.0)]) - 16.0 / 10.0) < 1e-12)
    }

    @Test func tooFewDrawsOrNaNGiveNilNotGarbage() {
        #expect(ChainDiagnostics.bulkEffectiveSampleSize([[1, 2, 3]]) == nil)
        #expect(ChainDiagnostics.splitRHat([[1, 2, 3, 4, 5]]) == nil)
        #expect(ChainDiagnostics.bulkEffectiveSampleSize([[1, .nan, 3, 4, 5]]) == nil)
        #expect(ChainDiagnostics.splitRHat([[1, 1, 1, 1], [1, 1, 1, 1]]) == nil)
    }

    @Test func weightedSummaryMatchesExactMomentsOfAKnownDistribution() {
        // Values 0, 1, 2 with weights 1, 2, 1: mean 1, variance 0.5, median 1, q05 0, q95 2.
        let s = Summary(chains: [[0, 1, 2]], logWeights: [[0, log(2.0), 0]])
        #expect(abs((s.mean ?? .nan) - 1) < 1e-12)
        #expect(abs((s.sd ?? .nan) - 0.5.squareRoot()) < 1e-12)
        #expect(s.q05 == 0 && s.q50 == 1 && s.q95 == 2)
        #expect(abs((s.ess ?? .nan) - 16.0 / 6.0) < 1e-12)
        #expect(s.rhat == nil && s.essTail == nil)
    }
}
