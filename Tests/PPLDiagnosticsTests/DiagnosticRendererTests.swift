import Testing
@testable import PPLDiagnostics

@Suite struct DiagnosticRendererTests {
    let file = SourceFile(name: "m.ppl", text: "model M() {\n  p ~ Bta(1, 1)\n}\n")

    @Test func locationIsOneBasedLineAndColumn() {
        #expect(file.location(of: 0) == SourceLocation(file: "m.ppl", line: 1, column: 1))
        #expect(file.location(of: 16) == SourceLocation(file: "m.ppl", line: 2, column: 5))
        #expect(file.line(2) == "  p ~ Bta(1, 1)")
    }

    @Test func rendersHeaderLineCaretAndNote() {
        let span = SourceSpan(file: file, start: 18, end: 21)
        #expect(span.text == "Bta")
        let diagnostic = Diagnostic.error("unknown distribution 'Bta'", at: span,
                                          notes: [.init("did you mean 'Beta'?")])
        let text = DiagnosticRenderer().render(diagnostic)
        #expect(text == """
            m.ppl:2:7: error: unknown distribution 'Bta'
              |
            2 |   p ~ Bta(1, 1)
              |       ^~~
            note: did you mean 'Beta'?

            """)
        #expect(diagnostic.description == "m.ppl:2:7: error: unknown distribution 'Bta'")
    }

    @Test func colourOnlyWhenAsked() {
        let diagnostic = Diagnostic.error("x", at: SourceSpan(file: file, start: 0, end: 5))
        #expect(!DiagnosticRenderer(colour: false).render(diagnostic).contains("\u{1B}["))
        #expect(DiagnosticRenderer(colour: true).render(diagnostic).contains("\u{1B}["))
    }

    @Test func caretStopsAtEndOfLineForMultiLineSpans() {
        let span = SourceSpan(file: file, start: 0, end: file.text.utf8.count)
        let text = DiagnosticRenderer().render(.error("whole model", at: span))
        #expect(text.contains("1 | model M() {\n  | ^~~~~~~~~~~\n"))
    }
}
