import Foundation
import PPLDiagnostics
import PPLIR
import PPLSema
import PPLSyntax
import Testing

/// Lowering of every construct against golden IR (Tests/PPLIRTests/Golden/NAME.ppl -> NAME.ir).
///
/// Set PPL_UPDATE_GOLDEN=1 to rewrite the .ir files from the current lowering, then review the diff.
@Suite struct LoweringGoldenTests {
    static let names = ["basics", "arrays", "control", "functions"]

    static func lower(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "ppl", subdirectory: "Golden"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let (checked, diagnostics) = checkSource(SourceFile(name: "\(name).ppl", text: text))
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
        let module = try Lowering.lower(checked)
        return Printer().print(module)
    }

    @Test(arguments: names) func loweringMatchesGolden(_ name: String) throws {
        let printed = try Self.lower(name)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).ir")
        if ProcessInfo.processInfo.environment["PPL_UPDATE_GOLDEN"] == "1" {
            try printed.write(to: source, atomically: true, encoding: .utf8)
        }
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "ir", subdirectory: "Golden"))
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(printed == expected)
    }
}
