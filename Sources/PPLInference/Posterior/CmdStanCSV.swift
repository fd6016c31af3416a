import Foundation
import PPLDistributions

/// Writes a posterior in CmdStan's CSV layout, one file per chain, so ArviZ's `from_cmdstan`
/// and other Stan tools read it.
///
/// Layout: `#` comment lines with the run's configuration (`key = value`, as CmdStan
/// prints them; `save_warmup = 0` since warm-up draws are not kept), one header line,
/// one line per kept draw. Sampler statistics come first and end in `__` (`lp__`,
/// `accept_stat__`, and `log_weight__` for weighted draws), then the columns.
///
/// Names: CmdStan writes `theta[1]` of a Stan program (1-based) as `theta.1` and
/// `m[2,3]` as `m.2.3`; ArviZ splits on `.` and subtracts 1. So address `theta[0]`
/// becomes `theta.1` and `m[1][2]` becomes `m.2.3`. Stan has no nested names, so
/// `step[2].x` becomes `step_x.3`: name components joined with `_`, indices appended
/// in order. Pointwise log-likelihoods are written as `log_lik.1`, ... (ArviZ's default
/// name for the log-likelihood group) and predictive draws under their observations'
/// names, which `from_cmdstan(posterior_predictive=...)` picks up.
public enum CmdStanCSV {
    /// The CmdStan column name of an address.
    public static func columnName(_ address: Address) -> String {
        var names: [String] = []
        var indices: [Int] = []
        for component in address.components {
            switch component {
            case .name(let n): names.append(n)
            case .index(let i): indices.append(i + 1)
            }
        }
        return ([names.joined(separator: "_")] + indices.map(String.init)).joined(separator: ".")
    }

    /// The text of each chain's file.
    public static func chainFiles(_ posterior: Posterior, model: String? = nil,
                                  settings: [(String, String)] = []) -> [String] {
        (0..<posterior.chainCount).map { chainFile(posterior, chain: $0, model: model, settings: settings) }
    }

    /// Writes `base` for one chain, or `name_1.csv`, `name_2.csv`, ... for several (as CmdStan does).
    @discardableResult
    public static func write(_ posterior: Posterior, to base: URL, model: String? = nil,
                             settings: [(String, String)] = []) throws -> [URL] {
        let files = chainFiles(posterior, model: model, settings: settings)
        let urls: [URL]
        if files.count == 1 {
            urls = [base]
        } else {
            let stem = base.deletingPathExtension().lastPathComponent
            let ext = base.pathExtension.isEmpty ? "csv" : base.pathExtension
            let folder = base.deletingLastPathComponent()
            urls = files.indices.map { folder.appendingPathComponent("\(stem)_\($0 + 1).\(ext)") }
        }
        for (text, url) in zip(files, urls) { try Data(text.utf8).write(to: url) }
        return urls
    }

    static func chainFile(_ posterior: Posterior, chain: Int, model: String?, settings: [(String, String)]) -> String {
        var lines: [String] = []
        lines.append("# model = \(model ?? "ppl_model")")
        lines.append("# method = sample (Default)")
        lines.append("#   sample")
        lines.append("#     num_samples = \(posterior.draws[chain].first?.count ?? 0)")
        lines.append("#     save_warmup = 0")
        lines.append("#     algorithm = \(posterior.engine)")
        for (key, value) in settings { lines.append("#     \(key) = \(value)") }
        lines.append("# id = \(chain + 1)")
        lines.append("# random")
        lines.append("#   seed = \(posterior.seed)")
        lines.append("# output")
        lines.append("#   generator = ppl")

        // (header, [draw] values, integer?)
        var columns: [(String, [Double], Bool)] = []
        for name in ["lp__", "accept_stat__"] {
            if let values = posterior.sampleStatistics[name]?[chain] { columns.append((name, values, false)) }
        }
        for (name, values) in posterior.sampleStatistics.sorted(by: { $0.key < $1.key })
        where name != "lp__" && name != "accept_stat__" {
            columns.append((name, values[chain], false))
        }
        if let logWeights = posterior.logWeights { columns.append(("log_weight__", logWeights[chain], false)) }
        for (c, address) in posterior.columns.enumerated() {
            columns.append((columnName(address), posterior.draws[chain][c], posterior.columnIsInteger[c]))
        }
        if let logLik = posterior.pointwiseLogLikelihood {
            for (i, values) in logLik[chain].enumerated() { columns.append(("log_lik.\(i + 1)", values, false)) }
        }
        if let predictive = posterior.predictiveDraws {
            for (c, address) in posterior.predictiveColumns.enumerated() {
                columns.append((columnName(address), predictive[chain][c], false))
            }
        }
        lines.append(columns.map(\.0).joined(separator: ","))
        let draws = columns.map(\.1.count).min() ?? 0
        for d in 0..<draws {
            lines.append(columns.map { number($0.1[d], integer: $0.2) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Shortest round-tripping text; `nan`, `inf` and `-inf` as NumPy reads them.
    static func number(_ x: Double, integer: Bool) -> String {
        if integer, x.isFinite, x.rounded() == x, abs(x) < 1e15 { return String(Int(x)) }
        return formatReal(x)
    }
}
