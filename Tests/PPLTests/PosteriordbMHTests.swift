import Foundation
import PPL
import PPLInference
import Testing

/// Issue 6's posteriordb check: the twelve programs of Programs/posteriordb, each run with its own
/// query (engine and proposal) under MH, against the NumPyro NUTS references of
/// Tests/PPLTests/Fixtures/posteriordb. At least 8 of the 12 must match, every mean within 4
/// standard errors (√(MCSE² + reference MCSE²)) and every sd within 15%; every other one must
/// flag itself with an R-hat or ESS warning, never look converged while wrong.
/// scripts/references/compare_posteriordb.py makes the same table from `ppl run`.
@Suite struct PosteriordbMHTests {
    /// Draws and warm-up per chain (4 chains): fewer than the files' queries so the suite stays
    /// fast in debug builds; the MCSE of each run says how precise it is, and the comparison uses it.
    static let budgets: [String: (samples: Int, warmup: Int)] = [
        "Rate_1_data-Rate_1_model": (1_000, 500),
        "arK-arK": (800, 800),
        "eight_schools-eight_schools_centered": (500, 500),
        "eight_schools-eight_schools_noncentered": (800, 800),
        "garch-garch11": (1_000, 1_000),
        "gp_pois_regr-gp_pois_regr": (400, 400),
        "hmm_example-hmm_example": (400, 400),
        "kidiq-kidscore_momhsiq": (1_500, 1_500),
        "kilpisjarvi_mod-kilpisjarvi": (2_000, 2_000),
        "low_dim_gauss_mix-low_dim_gauss_mix": (1_500, 1_500),
        "sblrc-blr": (1_200, 1_200),
        "wells_data-wells_dist": (600, 600),
    ]

    enum Verdict: String { case match, flagged, wrongUnflagged = "WRONG, NOT FLAGGED", missing }

    struct Outcome: CustomStringConvertible {
        var folder: String
        var verdict: Verdict
        var maxZ = 0.0, maxSDError = 0.0, maxRHat = 0.0, minESS = Double.infinity, seconds = 0.0
        var description: String {
            "| \(folder) | \(verdict.rawValue) | \(String(format: "%.2f", maxZ)) | \(String(format: "%.1f%%", 100 * maxSDError)) | "
                + "\(String(format: "%.3f", maxRHat)) | \(String(format: "%.0f", minESS)) | \(String(format: "%.0f s", seconds)) |"
        }
    }

    /// Compares a posterior with a reference's `parameters` (address → mean, sd, mcse).
    static func compare(_ folder: String, _ posterior: Posterior, _ reference: [String: [String: Double]]) -> Outcome {
        var outcome = Outcome(folder: folder, verdict: .match)
        for (text, expected) in reference.sorted(by: { $0.key < $1.key }) {
            guard let address = try? Address(parsing: text), let c = posterior.columnIndex(of: address),
                  let refMean = expected["mean"], let refSD = expected["sd"], let refMCSE = expected["mcse"] else {
                outcome.verdict = .missing
                return outcome
            }
            let s = posterior.summary(column: c)
            let mean = s.mean ?? .nan, sd = s.sd ?? .nan, mcse = s.mcse ?? .infinity
            let z = abs(mean - refMean) / (mcse * mcse + refMCSE * refMCSE).squareRoot()
            outcome.maxZ = max(outcome.maxZ, z.isNaN ? .infinity : z)
            let sdError = abs(sd / refSD - 1)
            outcome.maxSDError = max(outcome.maxSDError, sdError.isNaN ? .infinity : sdError)
            outcome.maxRHat = max(outcome.maxRHat, s.rhat ?? .infinity)
            outcome.minESS = min(outcome.minESS, s.ess ?? 0, s.essTail ?? 0)
        }
        // The flags a user sees: the engine's R-hat and ESS warnings (over every column).
        let flagged = posterior.diagnostics.warnings.contains { $0.contains("R-hat") || $0.contains("effective sample size") }
        let matches = outcome.maxZ <= 4 && outcome.maxSDError <= 0.15
        // A flagged run's MCSE is not trustworthy, so it never counts as a match.
        outcome.verdict = flagged ? .flagged : (matches ? .match : .wrongUnflagged)
        return outcome
    }

    static func reference(_ folder: String) throws -> [String: [String: Double]] {
        let parameters = try PosteriordbReferenceTests.reference(folder)["parameters"]
        return try #require(parameters as? [String: [String: Double]])
    }

    static func run(_ folder: String, source: String? = nil, seed: UInt64 = 1) async throws -> (Posterior, Double) {
        let path = PosteriordbReferenceTests.root.appendingPathComponent("Programs/posteriordb/\(folder).ppl").path
        let program = try source.map { try PPLProgram(source: $0, name: path) } ?? PPLProgram(contentsOf: path)
        var query = try #require(try program.queries().first)
        let dataURL = PosteriordbReferenceTests.dataDirectory.appendingPathComponent("\(folder)/data.json")
        let data = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dataURL)) as? [String: Any])
        try program.bind(data: data, source: dataURL.path, to: &query)
        let budget = try #require(budgets[folder])
        query.engine.options["samples"] = .number(Double(budget.samples))
        query.engine.options["warmup"] = .number(Double(budget.warmup))
        query.engine.options["chains"] = .number(4)
        query.seed = seed
        let clock = ContinuousClock()
        let start = clock.now
        let posterior = try await program.run(query)
        let (whole, fraction) = (clock.now - start).components
        return (posterior, Double(whole) + Double(fraction) * 1e-18)
    }

    @Test func atLeastEightMatchAndTheRestFlagThemselves() async throws {
        var outcomes: [Outcome] = []
        for folder in Self.budgets.keys.sorted() {
            let (posterior, seconds) = try await Self.run(folder)
            var outcome = Self.compare(folder, posterior, try Self.reference(folder))
            outcome.seconds = seconds
            outcomes.append(outcome)
        }
        let table = (["| posterior | verdict | max abs z (mean) | max sd error | max R-hat | min ESS | time |",
                      "|---|---|---|---|---|---|---|"] + outcomes.map(\.description)).joined(separator: "\n")
        print(table)
        let matched = outcomes.filter { $0.verdict == .match }.count
        #expect(matched >= 8, "\(matched) of 12 match:\n\(table)")
        #expect(outcomes.allSatisfy { $0.verdict == .match || $0.verdict == .flagged }, "\(table)")
    }

    /// The negative control: Rate_1 with the wrong prior Beta(2, 1) converges (no flag) to a
    /// different posterior, Beta(7, 6) instead of Beta(6, 6), and the same comparison calls it wrong.
    @Test func aConvergedWrongPosteriorIsCaught() async throws {
        let folder = "Rate_1_data-Rate_1_model"
        let path = PosteriordbReferenceTests.root.appendingPathComponent("Programs/posteriordb/\(folder).ppl")
        let source = try String(contentsOf: path, encoding: .utf8)
        let wrong = source.replacingOccurrences(of: "theta ~ Beta(1, 1)", with: "theta ~ Beta(2, 1)")
        #expect(wrong != source)
        let (posterior, _) = try await Self.run(folder, source: wrong)
        let outcome = Self.compare(folder, posterior, try Self.reference(folder))
        #expect(outcome.verdict == .wrongUnflagged, "\(outcome)")
        let (right, _) = try await Self.run(folder)
        #expect(Self.compare(folder, right, try Self.reference(folder)).verdict == .match)
    }
}
