import Foundation
import PPLDiagnostics
import PPLDistributions
import PPLInference
import PPLIR
import PPLInterpreter
import PPLSema
import PPLSyntax

/// Builds models from source text through the whole front end: parse, check, lower, VM.
enum SourceModels {
    struct FrontEndError: Error, CustomStringConvertible {
        var description: String
    }

    static func module(_ source: String, model: String? = nil, file: String = "test.ppl") throws -> Module {
        let (checked, diagnostics) = checkSource(SourceFile(name: file, text: source))
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { throw FrontEndError(description: errors.map(\.description).joined(separator: "\n")) }
        return try Lowering.lower(checked, entry: model)
    }

    static func model(_ source: String, model name: String? = nil, arguments: [Value] = []) throws -> VMModel {
        try VMModel(module: module(source, model: name), arguments: arguments)
    }

    static func programText(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Programs/\(name)"), encoding: .utf8)
    }
}
