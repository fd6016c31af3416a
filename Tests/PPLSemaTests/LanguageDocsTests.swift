import Foundation
import PPLDiagnostics
import PPLDistributions
@testable import PPLSema
import Testing

/// The grammar's examples check, and docs/language.md lists the catalogue and built-ins as they are.
@Suite struct LanguageDocsTests {
    @Test func everyGrammarExampleParsesAndChecks() throws {
        let examples = try Repository.grammarExamples()
        #expect(examples.count >= 12)
        for (i, example) in examples.enumerated() {
            let (_, diagnostics) = checkSource(SourceFile(name: "ppl.ebnf example \(i + 1)", text: example))
            #expect(diagnostics.isEmpty, "\(diagnostics)\n\(example)")
        }
    }

    @Test func docsListTheCatalogueAndBuiltins() throws {
        var docs = try Repository.read("docs/language.md")
        let sections = [("catalogue", Self.catalogueTable()), ("builtins", Self.builtinTable())]
        if ProcessInfo.processInfo.environment["PPL_REGENERATE_DOCS"] == "1" {
            for (marker, table) in sections { docs = Self.replace(marker, with: table, in: docs) }
            try docs.write(to: Repository.root.appendingPathComponent("docs/language.md"), atomically: true, encoding: .utf8)
        }
        for (marker, table) in sections {
            #expect(docs.contains("<!-- \(marker):begin -->\n\(table)<!-- \(marker):end -->"),
                    "docs/language.md is stale; run PPL_REGENERATE_DOCS=1 swift test --filter LanguageDocsTests\n\(table)")
        }
    }

    static func catalogueTable() -> String {
        var table = "| distribution | parameters | draws | parameterisation |\n|---|---|---|---|\n"
        for family in Catalogue.families {
            let parameters = family.parameters.map { p in
                "\(p.name): \(p.type)" + (p.constraint == .none ? "" : " (\(p.constraint))")
            }.joined(separator: ", ")
            let kind = family.isDiscrete ? "discrete" : "continuous"
            table += "| `\(family.name)` | \(parameters) | `\(family.drawType)`, \(kind) | \(family.summary) |\n"
        }
        return table
    }

    static func builtinTable() -> String {
        var table = "| built-in | meaning |\n|---|---|\n"
        for builtin in Builtin.allCases { table += "| `\(builtin.rawValue)` | \(builtin.summary) |\n" }
        return table
    }

    static func replace(_ marker: String, with table: String, in docs: String) -> String {
        guard let begin = docs.range(of: "<!-- \(marker):begin -->\n"),
              let end = docs.range(of: "<!-- \(marker):end -->") else { return docs }
        return docs.replacingCharacters(in: begin.upperBound..<end.lowerBound, with: table)
    }
}
