import ArgumentParser
import Foundation
import PPL
import PPLDistributions
import PPLInference
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flags every command that runs inference shares (DESIGN.md, Conventions): they override or add to the file's query.
struct InferenceOptions: ParsableArguments {
    @Option(help: "Engine: enumerate, lw, smc, mh, gibbs, rank (overrides the file's 'with').")
    var engine: String?

    @Option(name: .customLong("do"), help: ArgumentHelp("Intervene: set ADDR to VALUE by graph surgery (repeatable).", valueName: "addr=value"))
    var interventions: [String] = []

    @Option(name: .customLong("given"), help: ArgumentHelp("Condition: observe latent ADDR at VALUE (repeatable).", valueName: "addr=value"))
    var conditions: [String] = []

    @Option(help: "Particles (smc, lw).") var particles: Int?
    @Option(help: "Draws kept per chain after warm-up and thinning (mh, gibbs; lw draws).") var samples: Int?
    @Option(help: "Warm-up sweeps per chain (default: samples).") var warmup: Int?
    @Option(help: "Keep one draw every K sweeps.") var thin: Int?
    @Option(help: "Chains (default 4).") var chains: Int?
    @Option(help: "Seed; the same seed gives the same draws whatever the thread count.") var seed: UInt64 = 0
    @Option(name: .customLong("init"), help: ArgumentHelp("Start MCMC chains with ADDR at VALUE (repeatable).", valueName: "addr=value"))
    var inits: [String] = []
    @Option(name: .customLong("option"), help: ArgumentHelp("Any other engine option (repeatable).", valueName: "name=value"))
    var engineOptions: [String] = []

    func validate() throws {
        for (flag, value) in [("particles", particles), ("samples", samples), ("thin", thin), ("chains", chains)] {
            if let value, value < 1 { throw ValidationError("--\(flag) must be at least 1, got \(value)") }
        }
        if let warmup, warmup < 0 { throw ValidationError("--warmup must be at least 0, got \(warmup)") }
        for binding in interventions + conditions + inits + engineOptions where !binding.contains("=") {
            throw ValidationError("'\(binding)' must be written name=value")
        }
    }

    /// The query with these flags applied.
    func apply(to query: Query) throws -> Query {
        var query = query
        query.seed = seed
        if let engine, engine != query.engine.name { query.engine = EngineRequest(engine) }
        for (name, value) in [("particles", particles), ("samples", samples), ("warmup", warmup),
                              ("thin", thin), ("chains", chains)] {
            if let value { query.engine.options[name] = .number(Double(value)) }
        }
        for option in engineOptions {
            let (name, text) = try split(option)
            query.engine.options[name] = Double(text).map(OptionValue.number) ?? .text(text)
        }
        query.interventions += interventions.map { Binding($0) }
        query.conditions += conditions.map { Binding($0) }
        for (address, value) in try inits.map(parseBinding) { query.inits[address] = value }
        return query
    }

    private func split(_ binding: String) throws -> (String, String) {
        guard let equals = binding.firstIndex(of: "=") else { throw ValidationError("'\(binding)' must be written name=value") }
        return (String(binding[..<equals]).trimmingCharacters(in: .whitespaces),
                String(binding[binding.index(after: equals)...]).trimmingCharacters(in: .whitespaces))
    }

    private func parseBinding(_ binding: String) throws -> (Address, Value) {
        let (name, text) = try split(binding)
        let address: Address
        do { address = try Address(parsing: name) } catch { throw ValidationError(error.description) }
        if let n = Int(text) { return (address, .int(n)) }
        if let x = Double(text) { return (address, .real(x)) }
        if text == "true" || text == "false" { return (address, .bool(text == "true")) }
        throw ValidationError("the value of '\(name)' must be a number or true/false, got '\(text)'")
    }
}

/// `ppl run FILE`: runs the file's queries and prints a summary per query.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a .ppl file's infer queries and print their posteriors.")

    @Argument(help: "The .ppl file.") var file: String
    @OptionGroup var inference: InferenceOptions
    @Option(help: "Bind model parameters from a JSON object or CSV columns, by name.") var data: String?
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table
    @Option(help: "Write the draws in CmdStan's CSV layout (one file per chain: NAME_1.csv, ...).") var output: String?
    @Option(help: "Run this model instead of the file's queries (its engine comes from --engine).") var model: String?

    enum OutputFormat: String, ExpressibleByArgument { case table, json }

    private func loadData() throws(PPLError) -> [String: Any]? {
        guard let data else { return nil }
        do { return try DataBinding.load(path: data) } catch { throw .data(error) }
    }

    func run() async throws {
        let colour = isatty(STDERR_FILENO) != 0
        do {
            let program = try PPLProgram(contentsOf: file)
            if !program.warnings.isEmpty { standardError(PPLError.diagnostics(program.warnings).rendered(colour: colour)) }
            var queries = try program.queries()
            if let model {
                queries = [Query(model: model, engine: EngineRequest(inference.engine ?? "mh"))]
            }
            if queries.isEmpty {
                throw PPLError.usage("'\(file)' has no infer query; add one or pass --model NAME and --engine")
            }
            let fields = try loadData()
            for (index, fileQuery) in queries.enumerated() {
                var query = try inference.apply(to: fileQuery)
                if let fields, let data { try program.bind(data: fields, source: data, to: &query) }
                let posterior = try await program.run(query, progress: colour ? ProgressBar().update : nil)
                if colour { standardError("\r\u{1B}[K") }
                switch format {
                case .table:
                    if queries.count > 1 { print("\(query.model) (query \(index + 1) of \(queries.count))") }
                    print(SummaryTable(posterior).render())
                case .json:
                    print(PosteriorJSON.encode(posterior))
                }
                if let output {
                    var url = URL(fileURLWithPath: output)
                    if queries.count > 1 {
                        url = url.deletingPathExtension().appendingPathExtension("q\(index + 1).csv")
                    }
                    try CmdStanCSV.write(posterior, to: url, model: query.model)
                }
            }
        } catch let error as PPLError {
            standardError(error.rendered(colour: colour))
            if case .usage = error { throw ExitCode(64) }
            throw ExitCode(1)
        }
    }
}

func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// A one-line progress counter on stderr, only when stderr is a terminal.
struct ProgressBar: Sendable {
    @Sendable func update(_ steps: Int) {
        if steps % 10 == 0 { standardError("\r  step \(steps)") }
    }
}
