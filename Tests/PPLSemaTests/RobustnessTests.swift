import Foundation
import PPLDiagnostics
import PPLSema
import PPLSyntax
import Testing

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator owned by the test.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}

@Suite struct RobustnessTests {
    /// The token texts of a source, with whether each starts a line.
    static func tokens(_ text: String) -> [(String, Bool)] {
        let file = SourceFile(name: "t", text: text)
        return Lexer(file: file).tokenize().tokens.dropLast().map {
            (String(SourceSpan(file: file, start: $0.start, end: $0.end).text), $0.startsLine)
        }
    }

    static func join(_ tokens: [(String, Bool)]) -> String {
        var out = ""
        for (text, startsLine) in tokens { out += (startsLine ? "\n" : " ") + text }
        return out
    }

    /// Mutates programs token by token (delete, duplicate, swap, replace, insert) and feeds
    /// random token soup; the front end must return diagnostics, never crash or hang.
    @Test func tenThousandMutatedProgramsNeverCrash() throws {
        let corpus = try Repository.programs().map(\.text) + Repository.grammarExamples()
        #expect(corpus.count >= 20)
        let pieces = corpus.map(Self.tokens)
        let vocabulary = Array(Set(pieces.joined().map(\.0))).sorted()
            + ["(", ")", "[", "]", "{", "}", "~", "=", "..<", "?", ":", ".", "->", "1e400", "99999999999999999999",
               "/*", "*/", "&", "|", "@", "é", "\"", "while", "max", "var", "do", "given", "report", "counterfactual"]
        // PPL_FUZZ_RUNS and PPL_FUZZ_SEED widen the search locally; CI uses the fixed default.
        let environment = ProcessInfo.processInfo.environment
        var rng = SplitMix64(seed: environment["PPL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20261130)
        var withErrors = 0
        let runs = environment["PPL_FUZZ_RUNS"].flatMap { Int($0) } ?? 10_000
        for run in 0..<runs {
            var tokens = pieces[rng.below(pieces.count)]
            if run % 10 == 9 {
                // Token soup: random vocabulary, random line breaks.
                tokens = (0..<(1 + rng.below(80))).map { _ in (vocabulary[rng.below(vocabulary.count)], rng.below(5) == 0) }
            } else {
                for _ in 0..<(1 + rng.below(4)) where !tokens.isEmpty {
                    let i = rng.below(tokens.count)
                    switch rng.below(5) {
                    case 0: tokens.remove(at: i)
                    case 1: tokens.insert(tokens[i], at: i)
                    case 2: let j = rng.below(tokens.count); tokens.swapAt(i, j)
                    case 3: tokens[i].0 = vocabulary[rng.below(vocabulary.count)]
                    default: tokens.insert((vocabulary[rng.below(vocabulary.count)], rng.below(3) == 0), at: i)
                    }
                }
            }
            var source = Self.join(tokens)
            if run % 10 == 8 {
                // Byte-level damage: cut, repeat or insert characters anywhere, even inside
                // names, numbers and comment markers.
                var bytes = Array(source.utf8)
                let extra: [UInt8] = Array("/*\"é\t\n.<0e_".utf8)
                for _ in 0..<(1 + rng.below(6)) where !bytes.isEmpty {
                    let i = rng.below(bytes.count)
                    switch rng.below(3) {
                    case 0: bytes.remove(at: i)
                    case 1: bytes.insert(bytes[i], at: i)
                    default: bytes.insert(extra[rng.below(extra.count)], at: i)
                    }
                }
                source = String(decoding: bytes, as: UTF8.self)
            }
            let (checked, diagnostics) = checkSource(SourceFile(name: "fuzz\(run).ppl", text: source))
            if diagnostics.contains(where: { $0.severity == .error }) { withErrors += 1 }
            // Every diagnostic points inside the file and renders.
            for diagnostic in diagnostics {
                if let span = diagnostic.span {
                    #expect(span.start >= 0 && span.end <= source.utf8.count, "\(diagnostic) in\n\(source)")
                }
                #expect(!DiagnosticRenderer().render(diagnostic).isEmpty)
            }
            _ = checked.symbols.count
        }
        // The mutations really do break programs (a fuzzer that never errs proves nothing).
        #expect(withErrors > runs / 2)
    }

    /// Nesting just under the parser's limit goes through the checker without exhausting the stack.
    @Test func deepestAcceptedNestingChecks() {
        let depth = Parser.maximumDepth - 4
        let expression = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        let blocks = String(repeating: "if true {\n", count: depth / 2) + "x ~ Normal(0, 1)\n" + String(repeating: "}\n", count: depth / 2)
        let source = "let a = \(expression)\nmodel M() {\n\(blocks)}\nlet b = -(-(-(1)))"
        let (_, diagnostics) = checkSource(SourceFile(name: "deep.ppl", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics.prefix(3))")
        let tooDeep = "let a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let (_, errors) = checkSource(SourceFile(name: "deep.ppl", text: tooDeep))
        #expect(errors.map(\.message) == ["program is nested too deeply (more than \(Parser.maximumDepth) levels)"])
    }
}
