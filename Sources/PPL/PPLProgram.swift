import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLIR
import PPLInference
import PPLInterpreter
import PPLSema
import PPLSyntax

/// A .ppl program, parsed and checked, ready to lower its models and answer queries.
///
/// The whole pipeline of DESIGN.md reads top to bottom in `run`:
/// check(parse(source)) → lower → passes (intervene, condition, analyses) → VM → engine → Posterior.
public struct PPLProgram: Sendable {
    public let file: SourceFile
    public let checked: CheckedProgram
    /// Warnings from the checker (errors make the initialiser throw).
    public let warnings: [Diagnostic]

    /// Parses and checks source text; throws `.diagnostics` listing every error found.
    public init(source: String, name: String = "<input>") throws(PPLError) {
        file = SourceFile(name: name, text: source)
        let (checked, diagnostics) = checkSource(file)
        if diagnostics.contains(where: { $0.severity == .error }) { throw .diagnostics(diagnostics) }
        self.checked = checked
        self.warnings = diagnostics
    }

    /// Reads, parses and checks a file.
    public init(contentsOf path: String) throws(PPLError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("cannot read '\(path)'")
        }
        try self.init(source: String(decoding: data, as: UTF8.self), name: path)
    }

    /// Model names in source order.
    public var modelNames: [String] {
        checked.program.declarations.compactMap { if case .model(let m) = $0 { m.name.name } else { nil } }
    }

    /// The model's parameters and their declared types, in order.
    public func parameters(of model: String) throws(PPLError) -> [(name: String, type: ValueType)] {
        guard let signature = checked.models[model] else { throw unknownModel(model) }
        return signature.parameters.map { ($0.name, $0.type ?? .real) }
    }

    /// Top-level constants that are data (literals and arrays), by name.
    public var constants: [String: Value] { ConstantEvaluator(checked).allConstants() }

    /// The file's `infer` and `counterfactual` queries, arguments evaluated, in source order.
    public func queries() throws(PPLError) -> [Query] {
        let evaluator = ConstantEvaluator(checked)
        var out: [Query] = []
        for checkedQuery in checked.queries {
            let declaration = checkedQuery.declaration
            let model = declaration.model.name
            let parameters = try parameters(of: model)
            var arguments: [String: Value] = [:]
            for (parameter, expr) in zip(parameters, declaration.arguments) {
                arguments[parameter.name] = try evaluator.evaluate(expr)
            }
            var options: [String: OptionValue] = [:]
            for option in declaration.engine?.options ?? [] {
                if case .name(let text) = option.value.kind {
                    options[option.name.name] = .text(text)
                } else if let number = try evaluator.evaluate(option.value).asReal {
                    options[option.name.name] = .number(number)
                } else {
                    throw .diagnostics([.error("engine option '\(option.name.name)' must be a number or a name",
                                               at: option.value.span)])
                }
            }
            func bindings(_ list: [AddressBinding]) -> [Binding] {
                list.map { Binding(String($0.span.text), span: $0.span) }
            }
            let reports = checkedQuery.reports.compactMap { try? Address(parsing: $0.text) }
            out.append(Query(model: model, arguments: arguments,
                             interventions: bindings(declaration.interventions),
                             conditions: bindings(declaration.conditions),
                             engine: EngineRequest(checkedQuery.engine, options: options),
                             reports: reports, isCounterfactual: declaration.kind == .counterfactual))
        }
        return out
    }

    /// The model lowered to IR, before any pass.
    public func module(for model: String) throws(PPLError) -> Module {
        guard checked.models[model] != nil else { throw unknownModel(model) }
        do { return try Lowering.lower(checked, entry: model) } catch { throw .diagnostics([error.diagnostic]) }
    }

    /// The IR of a query's model after the pass named `after` (all passes when nil; `lower` for none).
    public func ir(for query: Query, after: String? = nil) throws(PPLError) -> String {
        let module = try Pipeline(query: query).run(module(for: query.model), stopAfter: after)
        return Printer().print(module)
    }

    /// The dependency graph between a query's choices (Graphviz dot), with the edges its interventions cut marked.
    public func dependencyGraph(for query: Query) throws(PPLError) -> String {
        try Pipeline(query: query).dependencyGraph(module(for: query.model))
    }

    /// Binds raw data fields (from `--data`) to the model's parameters by name, converting to declared types.
    /// Fields the model does not take are ignored; arguments already given win.
    public func bind(data fields: [String: Any], source: String, to query: inout Query) throws(PPLError) {
        for (name, type) in try parameters(of: query.model) where query.arguments[name] == nil {
            guard let raw = fields[name] else { continue }
            do { query.arguments[name] = try DataBinding.value(raw, as: type, key: name, source: source) } catch {
                throw .data(error)
            }
        }
    }

    /// Runs a query: lower, apply its passes, bind its arguments, run its engine.
    public func run(_ query: Query, progress: (@Sendable (Int) -> Void)? = nil) async throws(PPLError) -> Posterior {
        let module = try module(for: query.model)
        var arguments: [String: Value] = [:]
        for (name, type) in try parameters(of: query.model) {
            guard let value = query.arguments[name] else {
                throw .usage("model '\(query.model)' needs a value for parameter '\(name)': pass it in the query or bind it with --data")
            }
            guard let converted = value.converted(to: type) else {
                throw .data(DataError(source: query.model, "'\(name)' must be \(DataBinding.describe(type)), got \(value)"))
            }
            arguments[name] = converted
        }
        let transformed = try Pipeline(query: query).run(module)
        let model: VMModel
        do { model = try VMModel(module: transformed, bindings: arguments) } catch { throw .model(error) }
        var posterior = try await EngineRunner(request: query.engine, seed: query.seed, inits: query.inits,
                                                progress: progress).run(model)
        if !query.reports.isEmpty { posterior = posterior.selecting(query.reports) }
        return posterior
    }

    private func unknownModel(_ name: String) -> PPLError {
        let hint = closestName(to: name, among: modelNames).map { "; did you mean '\($0)'?" } ?? ""
        return .usage("no model named '\(name)'\(hint)")
    }
}

extension Value {
    /// This value as the given type (Int widens to Real, element-wise in arrays); nil when it does not fit.
    func converted(to type: ValueType) -> Value? {
        switch (self, type) {
        case (.real, .real), (.int, .int), (.bool, .bool), (.matrix, .matrix): return self
        case (.int(let n), .real): return .real(Double(n))
        case (.bool(let b), .int): return .int(b ? 1 : 0)
        case (.array(let items), .array(let element)):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let converted = item.converted(to: element) else { return nil }
                out.append(converted)
            }
            return .array(out)
        case (.array(let rows), .matrix):
            guard let width = rows.first?.asReals?.count else { return nil }
            var elements: [Double] = []
            for row in rows {
                guard let reals = row.asReals, reals.count == width else { return nil }
                elements += reals
            }
            return .matrix(Matrix(rows: rows.count, columns: width, elements: elements))
        default: return nil
        }
    }
}

extension Posterior {
    /// Only the columns covered by these addresses.
    func selecting(_ addresses: [Address]) -> Posterior {
        let keep = columns.indices.filter { i in addresses.contains { $0.covers(columns[i]) } }
        var out = self
        out.columns = keep.map { columns[$0] }
        out.columnIsInteger = keep.map { columnIsInteger[$0] }
        out.draws = draws.map { chain in keep.map { chain[$0] } }
        if let estimate = pointEstimate {
            out.pointEstimate = PointEstimate(kind: estimate.kind, standardErrors: keep.map { estimate.standardErrors[$0] },
                                              lower: keep.map { estimate.lower[$0] }, upper: keep.map { estimate.upper[$0] })
        }
        return out
    }
}
