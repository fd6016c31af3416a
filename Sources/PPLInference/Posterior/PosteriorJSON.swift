import Foundation
import PPLDistributions

/// The one-line JSON summary of a query, as DESIGN.md's Output convention states it.
///
/// `{"engine", "seed", "logEvidence", "addresses": {ADDR: {"mean", "sd", "q05", "q50",
/// "q95", "ess", "essTail", "rhat", "mcse"}}, "diagnostics": {...}}`, addresses in column
/// order, null for what does not apply (and for NaN or infinite numbers, which JSON lacks).
public enum PosteriorJSON {
    public static func encode(_ posterior: Posterior) -> String {
        let summaries = posterior.summaries()
        var out = "{"
        out += "\"engine\":" + string(posterior.engine)
        out += ",\"seed\":\(posterior.seed)"
        out += ",\"logEvidence\":" + number(posterior.logEvidence)
        out += ",\"addresses\":{"
        out += zip(posterior.columns, summaries).map { address, s in
            string(address.description) + ":{"
                + [("mean", s.mean), ("sd", s.sd), ("q05", s.q05), ("q50", s.q50), ("q95", s.q95),
                   ("ess", s.ess), ("essTail", s.essTail), ("rhat", s.rhat), ("mcse", s.mcse)]
                .map { string($0.0) + ":" + number($0.1) }.joined(separator: ",")
                + "}"
        }.joined(separator: ",")
        out += "},\"diagnostics\":" + diagnostics(posterior)
        return out + "}"
    }

    static func diagnostics(_ posterior: Posterior) -> String {
        let d = posterior.diagnostics
        var fields: [String] = []
        fields.append("\"chains\":\(posterior.chainCount)")
        fields.append("\"draws\":\(posterior.draws.first?.first?.count ?? 0)")
        fields.append("\"cancelled\":\(posterior.cancelled)")
        let rates = posterior.columns.compactMap { a in d.acceptanceRate[a].map { (a, $0) } }
            + d.acceptanceRate.filter { !posterior.columns.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        fields.append("\"acceptanceRate\":" + (rates.isEmpty ? "null" : "{" + rates.map { string($0.0.description) + ":" + number($0.1) }.joined(separator: ",") + "}"))
        fields.append("\"resamplingCount\":" + (d.resamplingCount.map(String.init) ?? "null"))
        fields.append("\"essHistory\":" + (d.essHistory.map { "[" + $0.map { number($0) }.joined(separator: ",") + "]" } ?? "null"))
        fields.append("\"schedule\":" + (d.schedule.isEmpty ? "null" : "{" + d.schedule.map { string($0.0.description) + ":" + string($0.1) }.joined(separator: ",") + "}"))
        fields.append("\"warnings\":[" + d.warnings.map(string).joined(separator: ",") + "]")
        if !d.extra.isEmpty {
            fields.append("\"extra\":{" + d.extra.sorted { $0.key < $1.key }.map { string($0.key) + ":" + number($0.value) }.joined(separator: ",") + "}")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "null" }
        if x.rounded() == x && abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
