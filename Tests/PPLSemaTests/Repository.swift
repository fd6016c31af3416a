import Foundation

/// Files of the repository the tests read (Programs/, Grammar/, docs/), found from this file's path.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func programs() throws -> [(name: String, text: String)] {
        let directory = root.appendingPathComponent("Programs")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".ppl") }.sorted()
        return try names.map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Every .ppl file under Programs/, subfolders included, as (relative path, text).
    static func allPrograms() throws -> [(path: String, text: String)] {
        let directory = root.appendingPathComponent("Programs")
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var found: [(String, String)] = []
        for case let path as String in enumerator where path.hasSuffix(".ppl") {
            found.append(("Programs/\(path)", try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// The complete programs in the grammar's `example:` comments.
    static func grammarExamples() throws -> [String] {
        let grammar = try read("Grammar/ppl.ebnf")
        var examples: [String] = []
        var rest = grammar[...]
        while let start = rest.range(of: "example:\n") {
            let after = rest[start.upperBound...]
            guard let end = after.range(of: "*)") else { break }
            examples.append(String(after[..<end.lowerBound]))
            rest = after[end.upperBound...]
        }
        return examples
    }
}
