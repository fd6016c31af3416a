import ArgumentParser
import Foundation
import PPL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ppl ir FILE [--after PASS]`: prints a model's IR after lowering and passes.
struct IR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir",
        abstract: "Print a model's IR after lowering and the passes of its query.")

    @Argument(help: "The .ppl file.") var file: String
    @Option(help: "Stop after this pass ('lower' for the IR straight from lowering).") var after: String?
    @Option(help: "The model to print (default: the model of the file's first query, else its first model).") var model: String?
    @Flag(help: "Print the dependency graph between choices (Graphviz dot), with cut edges of --do marked.") var graph = false
    @OptionGroup var inference: InferenceOptions

    func run() async throws {
        let colour = isatty(STDERR_FILENO) != 0
        do {
            let program = try PPLProgram(contentsOf: file)
            var query = try program.queries().first(where: { model == nil || $0.model == model })
                ?? Query(model: model ?? program.modelNames.first ?? "", engine: EngineRequest("mh"))
            query = try inference.apply(to: query)
            if graph {
                print(try program.dependencyGraph(for: query), terminator: "")
            } else {
                print(try program.ir(for: query, after: after), terminator: "")
            }
        } catch let error as PPLError {
            standardError(error.rendered(colour: colour))
            if case .usage = error { throw ExitCode(64) }
            throw ExitCode(1)
        }
    }
}
