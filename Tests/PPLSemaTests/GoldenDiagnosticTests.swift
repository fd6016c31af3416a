import Foundation
import PPLDiagnostics
import PPLSema
import Testing

/// Whole files of mistakes, rendered as `ppl check` shows them (place, source line, caret, notes),
/// compared with `Golden/NAME.expected`. `PPL_REGENERATE_GOLDEN=1` rewrites the expectations;
/// review the diff before committing it.
@Suite struct GoldenDiagnosticTests {
    static let directory = Repository.root.appendingPathComponent("Tests/PPLSemaTests/Golden")

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".ppl") }.map { String($0.dropLast(4)) }.sorted()
    }

    @Test func renderedDiagnosticsMatchTheGoldenFiles() throws {
        let names = try Self.names()
        #expect(names.count >= 5)
        for name in names {
            let text = try String(contentsOf: Self.directory.appendingPathComponent("\(name).ppl"), encoding: .utf8)
            let (_, diagnostics) = checkSource(SourceFile(name: "\(name).ppl", text: text))
            let rendered = DiagnosticRenderer().render(diagnostics)
            let expectedURL = Self.directory.appendingPathComponent("\(name).expected")
            if ProcessInfo.processInfo.environment["PPL_REGENERATE_GOLDEN"] == "1" {
                try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
            }
            let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "<missing \(name).expected>"
            #expect(rendered == expected, "\(name).ppl:\n\(rendered)")
        }
    }
}
