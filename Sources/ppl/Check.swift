import ArgumentParser
import Foundation
import PPLDiagnostics
import PPLSema
import PPLSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ppl check FILE...`: parses and checks each file and prints its diagnostics.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check .ppl files; exit 0 when clean, 1 with diagnostics.")

    @Argument(help: "The .ppl files to check.")
    var files: [String]

    @Flag(name: .customLong("dump-ast"), help: "Print each file's syntax tree (S-expressions) on stdout.")
    var dumpAST = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one .ppl file") }
    }

    func run() throws {
        let renderer = DiagnosticRenderer(colour: isatty(STDERR_FILENO) != 0)
        var failed = false
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                writeError("error: cannot read '\(path)'\n")
                failed = true
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                writeError("error: '\(path)' is not UTF-8 text\n")
                failed = true
                continue
            }
            let (checked, diagnostics) = checkSource(SourceFile(name: path, text: text))
            if dumpAST { print(ASTPrinter.print(checked.program), terminator: "") }
            if !diagnostics.isEmpty { writeError(renderer.render(diagnostics)) }
            if diagnostics.contains(where: { $0.severity == .error }) { failed = true }
        }
        if failed { throw ExitCode(1) }
    }
}

private func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
