import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLInterpreter
import PPLSyntax

/// What the REPL prints for one input: text for stdout, text for stderr, and whether to stop.
public struct ReplResponse: Sendable {
    public var output: String
    public var error: String
    public var quit: Bool

    init(output: String = "", error: String = "", quit: Bool = false) {
        self.output = output
        self.error = error
        self.quit = quit
    }
}

/// The state of an interactive session: definitions that persist across inputs, the last posterior, the seed.
///
/// Definitions are kept as source text by name; a new `model`, `fn` or `let` with a taken
/// name replaces the old one. Every input is checked together with the definitions so that
/// names resolve, and diagnostics are shown against the input the user typed.
public actor ReplSession {
    private struct Definition {
        var name: String
        var text: String
    }

    private var definitions: [Definition] = []
    private var loadedFile: String?
    private var inputCount = 0
    public private(set) var seed: UInt64
    /// The posterior of the last `infer`, for `:save` and `:draws`.
    public private(set) var lastPosterior: Posterior?
    private let colour: Bool

    public init(seed: UInt64 = 0, colour: Bool = false) {
        self.seed = seed
        self.colour = colour
    }

    /// Whether `text` is a complete input (braces, brackets and parentheses closed), so the
    /// terminal keeps reading continuation lines otherwise.
    public nonisolated static func isComplete(_ text: String) -> Bool {
        var depth = 0
        var inString = false, inLineComment = false, inBlockComment = false
        var previous: Character = " "
        for c in text {
            defer { previous = c }
            if inLineComment { if c == "\n" { inLineComment = false }; continue }
            if inBlockComment { if previous == "*" && c == "/" { inBlockComment = false }; continue }
            if inString { if c == "\"" { inString = false }; continue }
            switch c {
            case "\"": inString = true
            case "/" where previous == "/": inLineComment = true
            case "*" where previous == "/": inBlockComment = true
            case "{", "(", "[": depth += 1
            case "}", ")", "]": depth -= 1
            default: break
            }
        }
        return depth <= 0
    }

    /// Names for tab completion: commands, definitions, built-ins, distributions, engines, and the last posterior's addresses.
    public func completions() -> [String] {
        var words = ReplCommand.allCases.map { ":" + $0.rawValue }
        words += definitions.map(\.name)
        words += Catalogue.names + EngineName.allCases.map(\.rawValue)
        words += ["model", "fn", "let", "infer", "with", "do", "given", "for", "in", "if", "else", "return"]
        words += lastPosterior?.columns.map(\.description) ?? []
        return words
    }

    public func handle(_ rawInput: String) async -> ReplResponse {
        let input = rawInput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !input.isEmpty else { return ReplResponse() }
        if input.hasPrefix(":") { return await command(input) }
        inputCount += 1
        let firstWord = input.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        switch firstWord {
        case "model", "fn", "let": return define(input)
        case "infer", "counterfactual": return await infer(input)
        default: return evaluate(input, showValue: true)
        }
    }

    // MARK: - Inputs

    private var definitionsText: String { definitions.map(\.text).joined(separator: "\n") }

    /// Checks the definitions plus `input`; diagnostics in the input are re-based onto the input alone.
    private func compile(_ input: String) -> (program: PPLProgram?, failure: ReplResponse?) {
        let prefix = definitionsText.isEmpty ? "" : definitionsText + "\n"
        do throws(PPLError) {
            return (try PPLProgram(source: prefix + input, name: "<repl>"), nil)
        } catch {
            return (nil, ReplResponse(error: render(error, inputOffset: prefix.utf8.count, input: input)))
        }
    }

    private func render(_ error: PPLError, inputOffset: Int, input: String) -> String {
        guard case .diagnostics(let list) = error else { return error.rendered(colour: colour) }
        let inputFile = SourceFile(name: "<repl>", text: input)
        let rebased = list.map { diagnostic -> Diagnostic in
            var d = diagnostic
            if let span = d.span, span.start >= inputOffset {
                d.span = SourceSpan(file: inputFile, start: span.start - inputOffset, end: span.end - inputOffset)
            }
            d.notes = d.notes.map { note in
                var n = note
                if let span = n.span, span.start >= inputOffset {
                    n.span = SourceSpan(file: inputFile, start: span.start - inputOffset, end: span.end - inputOffset)
                }
                return n
            }
            return d
        }
        return DiagnosticRenderer(colour: colour).render(rebased)
    }

    private func define(_ input: String) -> ReplResponse {
        let (parsed, parseDiagnostics) = Parser.parse(input, name: "<repl>")
        if parseDiagnostics.contains(where: { $0.severity == .error }) {
            return ReplResponse(error: DiagnosticRenderer(colour: colour).render(parseDiagnostics))
        }
        var incoming: [Definition] = []
        for declaration in parsed.declarations {
            let name: String
            switch declaration {
            case .model(let m): name = m.name.name
            case .function(let f): name = f.name.name
            case .constant(let c): name = c.name.name
            case .query: return ReplResponse(error: "error: write queries on their own line\n")
            }
            incoming.append(Definition(name: name, text: String(declaration.span.text)))
        }
        let saved = definitions
        var replaced: [String] = []
        for definition in incoming {
            if let i = definitions.firstIndex(where: { $0.name == definition.name }) {
                definitions.remove(at: i)
                replaced.append(definition.name)
            }
            definitions.append(definition)
        }
        // Check everything together so a definition that breaks others is refused whole.
        let combined = definitionsText
        do throws(PPLError) {
            _ = try PPLProgram(source: combined, name: "<repl>")
        } catch {
            definitions = saved
            let prefix = saved.filter { d in !incoming.contains { $0.name == d.name } }.map(\.text).joined(separator: "\n")
            return ReplResponse(error: render(error, inputOffset: prefix.isEmpty ? 0 : prefix.utf8.count + 1, input: input))
        }
        let names = incoming.map(\.name)
        let verb = replaced.isEmpty ? "defined" : "redefined"
        return ReplResponse(output: "\(verb) \(names.joined(separator: ", "))\n")
    }

    private func infer(_ input: String) async -> ReplResponse {
        let compiled = compile(input)
        guard let program = compiled.program else { return compiled.failure ?? ReplResponse() }
        do {
            var out = ""
            for var query in try program.queries() {
                query.seed = seed
                let posterior = try await program.run(query)
                lastPosterior = posterior
                out += SummaryTable(posterior).render()
            }
            return ReplResponse(output: out)
        } catch {
            return ReplResponse(error: error.rendered(colour: colour))
        }
    }

    private static let evaluationModel = "ReplEvaluation__"

    /// Evaluates an expression by running it as the return of a one-line model in the VM.
    private func evaluate(_ input: String, showValue: Bool) -> ReplResponse {
        let wrapped = "model \(Self.evaluationModel)() {\n  return \(input)\n}"
        let prefix = definitionsText.isEmpty ? "" : definitionsText + "\n"
        let program: PPLProgram
        do throws(PPLError) { program = try PPLProgram(source: prefix + wrapped, name: "<repl>") } catch {
            // Show errors against what the user typed: the expression starts after "model ...{\n  return ".
            let header = "model \(Self.evaluationModel)() {\n  return "
            return ReplResponse(error: render(error, inputOffset: prefix.utf8.count + header.utf8.count, input: input))
        }
        let type = program.checked.models[Self.evaluationModel]?.returnType
        guard showValue else { return ReplResponse(output: "\(type.map(String.init(describing:)) ?? "()")\n") }
        do throws(PPLError) {
            let module = try program.module(for: Self.evaluationModel)
            let model: VMModel
            do { model = try VMModel(module: module, arguments: []) } catch { throw PPLError.model(error) }
            var rng = RandomStream(seed: seed)
            let trace: VMTrace
            do { trace = try model.simulate(using: &rng) } catch { throw PPLError.model(error) }
            guard let value = trace.returnValue else { return ReplResponse(output: "()\n") }
            return ReplResponse(output: "\(value) : \(type.map(String.init(describing:)) ?? "?")\n")
        } catch {
            return ReplResponse(error: error.rendered(colour: colour))
        }
    }

    // MARK: - Commands

    private func command(_ input: String) async -> ReplResponse {
        let parts = input.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        guard let command = ReplCommand(rawValue: name) else {
            let hint = closestName(to: name, among: ReplCommand.allCases.map(\.rawValue)).map { "; did you mean ':\($0)'?" } ?? ""
            return ReplResponse(error: "error: unknown command ':\(name)'\(hint) (:help lists them)\n")
        }
        switch command {
        case .help: return ReplResponse(output: ReplCommand.helpText)
        case .quit: return ReplResponse(quit: true)
        case .engines:
            return ReplResponse(output: EngineName.allCases.map { "\($0.rawValue)\t\($0.summary)" }.joined(separator: "\n") + "\n")
        case .seed:
            guard let value = UInt64(argument) else { return ReplResponse(error: "error: :seed takes a non-negative integer\n") }
            seed = value
            return ReplResponse(output: "seed \(value)\n")
        case .type:
            guard !argument.isEmpty else { return ReplResponse(error: "error: :type takes an expression\n") }
            inputCount += 1
            return evaluate(argument, showValue: false)
        case .load, .reload:
            let path = command == .reload ? (loadedFile ?? "") : argument
            guard !path.isEmpty else { return ReplResponse(error: "error: :\(command.rawValue) needs a file (none loaded yet)\n") }
            return load(path)
        case .ir:
            return withProgram { program in
                let model = argument.isEmpty ? (program.modelNames.last ?? "") : argument
                return try program.ir(for: Query(model: model, engine: EngineRequest("mh")))
            }
        case .graph:
            return withProgram { program in
                let model = argument.isEmpty ? (program.modelNames.last ?? "") : argument
                return try program.dependencyGraph(for: Query(model: model, engine: EngineRequest("mh")))
            }
        case .save:
            guard let posterior = lastPosterior else { return ReplResponse(error: "error: no posterior yet: run an infer first\n") }
            guard !argument.isEmpty else { return ReplResponse(error: "error: :save takes a path ending in .json or .csv\n") }
            do {
                if argument.hasSuffix(".json") {
                    try Data((PosteriorJSON.encode(posterior) + "\n").utf8).write(to: URL(fileURLWithPath: argument))
                    return ReplResponse(output: "saved \(argument)\n")
                }
                let files = try CmdStanCSV.write(posterior, to: URL(fileURLWithPath: argument))
                return ReplResponse(output: "saved \(files.map(\.path).joined(separator: ", "))\n")
            } catch {
                return ReplResponse(error: "error: cannot write '\(argument)': \(error.localizedDescription)\n")
            }
        case .draws:
            guard let posterior = lastPosterior else { return ReplResponse(error: "error: no posterior yet: run an infer first\n") }
            guard let address = try? Address(parsing: argument), let column = posterior.columnIndex(of: address) else {
                return ReplResponse(error: "error: no address '\(argument)' in the last posterior (addresses: \(posterior.columns.map(\.description).joined(separator: ", ")))\n")
            }
            let draws = posterior.draws.flatMap { $0[column] }
            let shown = draws.prefix(10).map { posterior.columnIsInteger[column] ? String(Int($0)) : formatReal($0) }
            return ReplResponse(output: "\(address): \(draws.count) draws: \(shown.joined(separator: ", "))\(draws.count > 10 ? ", ..." : "")\n")
        }
    }

    private func withProgram(_ body: (PPLProgram) throws -> String) -> ReplResponse {
        do {
            let program = try PPLProgram(source: definitionsText, name: "<repl>")
            return ReplResponse(output: try body(program))
        } catch let error as PPLError {
            return ReplResponse(error: error.rendered(colour: colour))
        } catch {
            return ReplResponse(error: "error: \(error)\n")
        }
    }

    private func load(_ path: String) -> ReplResponse {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ReplResponse(error: "error: cannot read '\(path)'\n")
        }
        let text = String(decoding: data, as: UTF8.self)
        let (parsed, diagnostics) = Parser.parse(text, name: path)
        if diagnostics.contains(where: { $0.severity == .error }) {
            return ReplResponse(error: DiagnosticRenderer(colour: colour).render(diagnostics))
        }
        var chunks: [String] = []
        var queries = 0
        for declaration in parsed.declarations {
            if case .query = declaration { queries += 1 } else { chunks.append(String(declaration.span.text)) }
        }
        var response = define(chunks.joined(separator: "\n"))
        if response.error.isEmpty {
            loadedFile = path
            response.output = "loaded \(path): " + response.output
            if queries > 0 { response.output += "\(queries) infer \(queries == 1 ? "query" : "queries") in the file: type them to run\n" }
        }
        return response
    }
}

/// The REPL's `:` commands.
public enum ReplCommand: String, CaseIterable, Sendable {
    case help, load, reload, type, ir, graph, engines, seed, save, draws, quit

    static let helpText = """
        Enter model, fn and let definitions, infer queries, or expressions.
        Input continues on the next line while braces are open.
          :help            this text
          :load FILE       add a file's definitions      :reload   load it again
          :type EXPR       the type of an expression
          :ir [MODEL]      a model's IR
          :graph [MODEL]   a model's dependency graph (Graphviz dot)
          :engines         the inference engines
          :seed N          the seed for the next queries
          :save PATH       the last posterior as .json or CmdStan .csv
          :draws ADDR      the last posterior's draws of one address
          :quit            leave (or Ctrl-D); Ctrl-C interrupts a running inference

        """
}
