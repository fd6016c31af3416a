import Foundation
import Testing

/// Grammar/ppl.ebnf is the parser's source of truth: every rule has a comment there and a
/// parser method that quotes it.
@Suite struct GrammarTests {
    static func rules(_ grammar: String) -> [(name: String, line: Int)] {
        grammar.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
            guard let first = line.first, first.isLetter,
                  let equals = line.range(of: " =") else { return nil }
            let name = line[..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
            return name.allSatisfy { $0.isLetter || $0 == "_" } ? (name, i) : nil
        }
    }

    @Test func everyRuleHasACommentAndAParserMethod() throws {
        let grammar = try Repository.read("Grammar/ppl.ebnf")
        let parser = try Repository.read("Sources/PPLSyntax/Parser.swift")
        let lines = grammar.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rules = Self.rules(grammar)
        #expect(rules.count >= 35)
        for (name, line) in rules {
            var previous = line - 1
            while previous >= 0, lines[previous].trimmingCharacters(in: .whitespaces).isEmpty { previous -= 1 }
            #expect(previous >= 0 && lines[previous].hasSuffix("*)"), "rule '\(name)' has no comment above it")
            #expect(parser.contains("/// \(name) = ") || parser.contains("///         \(name) = "),
                    "rule '\(name)' is not quoted by a parser method")
        }
    }
}
