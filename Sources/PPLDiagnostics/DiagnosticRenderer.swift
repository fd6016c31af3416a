/// Renders diagnostics as compilers do: the header, the source line, a caret under the span, then notes.
public struct DiagnosticRenderer: Sendable {
    /// ANSI colour, for terminals only.
    public var colour: Bool

    public init(colour: Bool = false) { self.colour = colour }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = header(diagnostic.severity, diagnostic.message, span: diagnostic.span)
        if let span = diagnostic.span { out += excerpt(span) }
        for note in diagnostic.notes {
            out += header(.note, note.message, span: note.span)
            if let span = note.span, span != diagnostic.span { out += excerpt(span) }
        }
        return out
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    private func header(_ severity: Diagnostic.Severity, _ message: String, span: SourceSpan?) -> String {
        let place = span.map { "\($0.location): " } ?? ""
        let label = severity.rawValue
        guard colour else { return "\(place)\(label): \(message)\n" }
        let code = switch severity {
        case .error: "1;31"
        case .warning: "1;35"
        case .note: "1;36"
        }
        return "\u{1B}[1m\(place)\u{1B}[0m\u{1B}[\(code)m\(label):\u{1B}[0m \u{1B}[1m\(message)\u{1B}[0m\n"
    }

    private func excerpt(_ span: SourceSpan) -> String {
        let start = span.file.location(of: span.start)
        let lineText = span.file.line(start.line)
        let lineNumber = String(start.line)
        let gutter = String(repeating: " ", count: lineNumber.count)
        // Tabs are kept so the caret lines up under them.
        let lead = String(lineText.utf8.prefix(max(0, start.column - 1)).map { $0 == UInt8(ascii: "\t") ? "\t" : " " })
        let endOnLine = min(span.end, span.file.lineStarts.count > start.line
                            ? span.file.lineStarts[start.line] - 1 : span.file.text.utf8.count)
        let width = max(1, endOnLine - span.start)
        var marks = "^" + String(repeating: "~", count: width - 1)
        if colour { marks = "\u{1B}[1;32m\(marks)\u{1B}[0m" }
        return "\(gutter) |\n\(lineNumber) | \(lineText)\n\(gutter) | \(lead)\(marks)\n"
    }
}
