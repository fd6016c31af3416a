import Foundation
import PPLInference

/// The table `ppl run` and the REPL print: one row per address with mean, sd, quantiles, ESS, R-hat and a histogram.
public struct SummaryTable: Sendable {
    public var posterior: Posterior
    /// Show only addresses covered by one of these (all when empty).
    public var selection: [Address]

    public init(_ posterior: Posterior, selection: [Address] = []) {
        self.posterior = posterior
        self.selection = selection
    }

    public func render() -> String {
        let summaries = posterior.summaries()
        let headers = ["address", "mean", "sd", "5%", "50%", "95%", "ess", "rhat", "histogram"]
        var rows: [[String]] = []
        for (column, address) in posterior.columns.enumerated()
        where selection.isEmpty || selection.contains(where: { $0.covers(address) }) {
            let s = summaries[column]
            let quantile = posterior.columnIsInteger[column] ? integer : number
            rows.append([
                address.description, number(s.mean), number(s.sd), quantile(s.q05), quantile(s.q50),
                quantile(s.q95), s.ess.map { String(Int($0.rounded())) } ?? "-",
                s.rhat.map { String(format: "%.3f", $0) } ?? "-", histogram(column: column),
            ])
        }
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 || i == cells.count - 1 ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = "\(posterior.engine)"
        out += " · seed \(posterior.seed)"
        out += " · " + drawCountText()
        if let logEvidence = posterior.logEvidence { out += " · log evidence \(number(logEvidence))" }
        if posterior.cancelled { out += " · cancelled: partial result" }
        out += "\n" + line(headers) + "\n"
        for row in rows { out += line(row) + "\n" }
        let diagnostics = posterior.diagnostics
        if !diagnostics.acceptanceRate.isEmpty {
            let rates = diagnostics.acceptanceRate.values
            let mean = rates.reduce(0, +) / Double(rates.count)
            out += "acceptance rate: mean \(String(format: "%.2f", mean)) over \(rates.count) addresses\n"
        }
        if let count = diagnostics.resamplingCount { out += "resampling steps: \(count)\n" }
        if !diagnostics.schedule.isEmpty {
            out += "schedule: " + diagnostics.schedule.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "\n"
        }
        for warning in diagnostics.warnings { out += "warning: \(warning)\n" }
        return out
    }

    private func drawCountText() -> String {
        let perChain = posterior.draws.first?.first?.count ?? 0
        if let estimate = posterior.pointEstimate { return "\(estimate.kind.uppercased()) estimate, 90% intervals from the observed information" }
        if posterior.isExact { return "exact, \(perChain) assignments" }
        if posterior.chainCount > 1 { return "\(posterior.chainCount) chains × \(perChain) draws" }
        return posterior.isWeighted ? "\(perChain) weighted draws" : "\(perChain) draws"
    }

    private func histogram(column: Int) -> String {
        if posterior.pointEstimate != nil { return "" }
        let values = posterior.draws.flatMap { $0[column] }
        var weights: [Double]?
        if let logWeights = posterior.logWeights {
            let flat = logWeights.flatMap { $0 }
            let top = flat.max() ?? 0
            weights = flat.map { top.isFinite ? exp($0 - top) : 0 }
        }
        return Histogram(values: values, weights: weights, integer: posterior.columnIsInteger[column]).sparkline
    }
}

/// Whole numbers for quantiles of integer choices.
func integer(_ x: Double?) -> String {
    guard let x, x.isFinite else { return number(x) }
    return String(Int(x.rounded()))
}

/// Four significant digits, plain where it reads well, scientific where it must.
func number(_ x: Double?) -> String {
    guard let x else { return "-" }
    if x.isNaN { return "nan" }
    if x == 0 { return "0" }
    let magnitude = abs(x)
    if magnitude >= 1e-3 && magnitude < 1e6 {
        let decimals = max(0, 3 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", x)
    }
    return String(format: "%.3e", x)
}
