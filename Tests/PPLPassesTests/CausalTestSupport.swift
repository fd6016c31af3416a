import Foundation
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLDiagnostics
import PPLSema
import PPLIR
@testable import PPLPasses

/// Runs passes and engines on hand-built or lowered modules.
enum Causal {
    static func apply(_ pass: some Pass, to module: Module) throws -> Module {
        try PassManager([pass]).run(module)
    }

    static func intervene(_ module: Module, _ text: String...) throws -> Module {
        try apply(Intervene(text.map { try Intervention.parse($0) }), to: module)
    }

    static func condition(_ module: Module, _ text: String...) throws -> Module {
        try apply(Condition(text.map { try Intervention.parse($0) }), to: module)
    }

    static func enumerate(_ module: Module, arguments: [Value] = []) throws -> ExactPosterior {
        try Enumerate().run(try VMModel(module: module, arguments: arguments))
    }

    /// P(address = 1) under exact enumeration.
    static func probabilityOfOne(_ module: Module, _ address: Address) throws -> Double {
        let marginal = try enumerate(module).marginal(of: address) ?? []
        return marginal.first { $0.value == 1 }?.probability ?? 0
    }
}

/// Weighted mean, variance and their Monte Carlo standard errors from a posterior's column.
struct WeightedMoments {
    var mean: Double
    var variance: Double
    var meanError: Double
    var varianceError: Double
    var effectiveSampleSize: Double

    /// Standard errors use Kish's ESS with the delta method for self-normalised weights
    /// (Owen 2013, Monte Carlo theory, 9.2): se(mean) ≈ sd / sqrt(ESS), se(var) ≈ sqrt((m4 − var²) / ESS).
    init(values: [Double], logWeights: [Double]?) {
        let logW = logWeights ?? Array(repeating: 0, count: values.count)
        let top = logW.max() ?? 0
        let w = logW.map { exp($0 - top) }
        let total = w.reduce(0, +)
        let p = w.map { $0 / total }
        mean = zip(p, values).reduce(0) { $0 + $1.0 * $1.1 }
        let m = mean
        variance = zip(p, values).reduce(0) { $0 + $1.0 * ($1.1 - m) * ($1.1 - m) }
        let m4 = zip(p, values).reduce(0) { $0 + $1.0 * pow($1.1 - m, 4) }
        effectiveSampleSize = 1 / p.reduce(0) { $0 + $1 * $1 }
        meanError = (variance / effectiveSampleSize).squareRoot()
        varianceError = (max(0, m4 - variance * variance) / effectiveSampleSize).squareRoot()
    }

    init(_ posterior: Posterior, _ address: Address) {
        let c = posterior.columnIndex(of: address) ?? 0
        self.init(values: posterior.draws.flatMap { $0[c] }, logWeights: posterior.logWeights?.flatMap { $0 })
    }
}

/// Programs/causal/*.ppl through the front end, with each query's passes applied.
enum CausalPrograms {
    struct FrontEndError: Error, CustomStringConvertible { var description: String }

    struct Query {
        var module: Module
        var engine: String
        var reports: [String]
    }

    static func text(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Programs/causal/\(name)"), encoding: .utf8)
    }

    /// Every query of the file: the lowered model with Intervene/Condition or Counterfactual applied,
    /// bindings turned into interventions from their source text as the facade does.
    static func queries(_ name: String) throws -> [Query] {
        let (checked, diagnostics) = checkSource(SourceFile(name: name, text: try text(name)))
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { throw FrontEndError(description: errors.map(\.description).joined(separator: "\n")) }
        var out: [Query] = []
        for query in checked.queries {
            let module = try Lowering.lower(checked, entry: query.declaration.model.name)
            func bindings(_ list: [QueryAddress]) throws -> [Intervention] {
                try list.map { item in
                    guard let value = item.value else { throw FrontEndError(description: "no value for \(item.text)") }
                    return try Intervention.parse(address: item.text, value: String(value.span.text), span: item.span)
                }
            }
            let interventions = try bindings(query.interventions), conditions = try bindings(query.conditions)
            let transformed: Module
            if query.declaration.kind == .counterfactual {
                transformed = try PassManager([Counterfactual(facts: conditions, interventions: interventions)]).run(module)
            } else {
                transformed = try PassManager([Intervene(interventions), Condition(conditions)]).run(module)
            }
            out.append(Query(module: transformed, engine: query.engine, reports: query.reports.map(\.text)))
        }
        return out
    }
}

extension CausalPrograms {
    /// Every model of every program in Programs/ and Programs/causal/, lowered.
    static func galleryModules() throws -> [(name: String, module: Module)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var out: [(String, Module)] = []
        for directory in ["Programs", "Programs/causal"] {
            let url = root.appendingPathComponent(directory)
            let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".ppl") }.sorted()
            for name in names {
                let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                let (checked, diagnostics) = checkSource(SourceFile(name: name, text: text))
                if diagnostics.contains(where: { $0.severity == .error }) { continue }
                for model in checked.models.keys.sorted() {
                    if let module = try? Lowering.lower(checked, entry: model) { out.append(("\(directory)/\(name):\(model)", module)) }
                }
            }
        }
        return out
    }
}
