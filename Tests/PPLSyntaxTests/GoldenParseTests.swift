import Foundation
import PPLSyntax
import Testing

/// The tree of every gallery program, printed by ASTPrinter, against `Golden/NAME.ast`.
/// `PPL_REGENERATE_GOLDEN=1` rewrites them; review the diff before committing.
@Suite struct GoldenParseTests {
    static let directory = Repository.root.appendingPathComponent("Tests/PPLSyntaxTests/Golden")

    @Test func galleryTreesMatchTheGoldenFiles() throws {
        for (name, text) in try Repository.programs() {
            let (program, diagnostics) = Parser.parse(text, name: name)
            #expect(diagnostics.isEmpty)
            let printed = ASTPrinter.print(program)
            let url = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".ppl", with: ".ast"))
            if ProcessInfo.processInfo.environment["PPL_REGENERATE_GOLDEN"] == "1" {
                try printed.write(to: url, atomically: true, encoding: .utf8)
            }
            let expected = (try? String(contentsOf: url, encoding: .utf8)) ?? "<missing \(url.lastPathComponent)>"
            #expect(printed == expected, "\(name):\n\(printed)")
        }
    }

    @Test func printerShowsEveryConstruct() {
        let source = """
        fn f(x: [Real], m: Matrix) -> Real {
          var t = 0.0
          t = t + x[0]
          while t < 10 max 5 { t = t * 2 }
          if t > 1 { return t } else if t < 0 { return -t } else { return 0 }
        }
        model M(y: Real) {
          a ~ Normal(0, 1)
          observe(Normal(a, 1), y)
          factor(-a)
          for v in [1, 2] { }
          g(a)
          return a > 0 ? 1 : 0
        }
        counterfactual M(1.0) given(a = 1) do(a = 2) report(a) with lw(particles: 10)
        """
        let (program, diagnostics) = Parser.parse(source)
        #expect(diagnostics.isEmpty)
        #expect(ASTPrinter.print(program) == """
        (fn f (x: [Real], m: Matrix) -> Real
          (var t 0.0)
          (= t (t + x[0]))
          (while (t < 10) max 5
            (= t (t * 2))
          )
          (if
            ((t > 1)
              (return t)
            )
            ((t < 0)
              (return (-t))
            )
            (else
              (return 0)
            )
          )
        )
        (model M (y: Real)
          (~ a Normal(0, 1))
          (observe Normal(a, 1) y)
          (factor (-a))
          (for v in [1, 2]
          )
          g(a)
          (return ((a > 0) ? 1 : 0))
        )
        (counterfactual M(1.0) (do a = 2) (given a = 1) (report a) (with lw particles: 10))

        """)
    }
}
