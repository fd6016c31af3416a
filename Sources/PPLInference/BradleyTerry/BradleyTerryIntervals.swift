import CGSL

/// Standard errors of centred log-strengths (and of log nu, log theta) from the observed information.
///
/// With c_k the gradient of the k-th outcome's log numerator and p_k its probability,
/// each game group contributes n_g [sum_k p_k c_k c_k^T - (sum_k p_k c_k)(sum_k p_k c_k)^T]
/// to the information H (minus the Hessian of log L: log L is linear in the log-parameters
/// except for -log D, a log-sum-exp). Newman's prior adds 2 pi/(1+pi)^2 to the diagonal.
/// Without a prior H has the null vector u = (1,...,1,0,0)/sqrt(n) (a common shift of all
/// log-strengths), so we invert H + u u^T, which is H^+ + u u^T; the covariance of the
/// centred scores is P Sigma P with P = I - 11^T/n either way.
public struct BradleyTerryIntervals: Sendable {
    /// Standard error of each centred score.
    public var standardErrors: [Double]
    /// Standard error of each log-strength itself, sqrt(Sigma_ii): defined under Newman's prior (MAP),
    /// which fixes the scale; nil for the MLE, whose log-strengths are known only up to a common shift.
    public var logStrengthErrors: [Double]?
    public var logTieParameterError: Double?
    public var logHomeAdvantageError: Double?

    /// The largest number of parameters for which the dense inverse is computed by default.
    public static let defaultLimit = 3_000

    public init(fit: BradleyTerryFit, graph: ComparisonGraph) throws(BradleyTerryError) {
        let n = graph.itemCount
        let nuIndex = graph.modelsTies ? n : -1
        let thetaIndex = graph.modelsHome ? n + (graph.modelsTies ? 1 : 0) : -1
        let size = n + (graph.modelsTies ? 1 : 0) + (graph.modelsHome ? 1 : 0)
        guard let matrix = gsl_matrix_calloc(size, size) else { throw .numerical("out of memory for a \(size) x \(size) information matrix") }
        defer { gsl_matrix_free(matrix) }
        let tda = Int(matrix.pointee.tda)
        let h = matrix.pointee.data!
        let pi = fit.logStrengths.map { exp($0) }
        let nu = fit.tieParameter ?? 0, theta = fit.homeAdvantage ?? 1
        for i in 0..<n {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let j = Int(graph.opponent[e])
                guard j > i else { continue }
                let games = graph.wins[e] + graph.losses[e] + graph.ties[e]
                let x = pi[i] * (graph.homeSign[e] == 1 ? theta : 1)
                let y = pi[j] * (graph.homeSign[e] == -1 ? theta : 1)
                let tie = graph.modelsTies ? nu * (x * y).squareRoot() : 0
                let d = x + y + tie
                let p = [x / d, y / d, tie / d]
                // Parameters touched: i, j, log nu, log theta (index -1 = absent).
                let index = [i, j, nuIndex, thetaIndex]
                // Gradient of each outcome's log numerator over those four parameters.
                var c: [[Double]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0.5, 0.5, 1, 0]]
                if graph.homeSign[e] == 1 { c[0][3] = 1; c[2][3] = 0.5 }
                if graph.homeSign[e] == -1 { c[1][3] = 1; c[2][3] = 0.5 }
                var mean = [0.0, 0, 0, 0]
                for k in 0..<3 { for a in 0..<4 { mean[a] += p[k] * c[k][a] } }
                for a in 0..<4 where index[a] >= 0 {
                    for b in 0..<4 where index[b] >= 0 {
                        var second = -mean[a] * mean[b]
                        for k in 0..<3 { second += p[k] * c[k][a] * c[k][b] }
                        h[index[a] * tda + index[b]] += games * second
                    }
                }
            }
        }
        if fit.options.prior == .newman {
            for i in 0..<n { h[i * tda + i] += 2 * pi[i] / ((1 + pi[i]) * (1 + pi[i])) }
        } else {
            let shift = 1 / Double(n)
            for a in 0..<n { for b in 0..<n { h[a * tda + b] += shift } }
        }
        guard gsl_linalg_cholesky_decomp1(matrix) == GSL_SUCCESS,
              gsl_linalg_cholesky_invert(matrix) == GSL_SUCCESS else {
            throw .numerical("the information matrix is singular: some strengths are not identified by the data")
        }
        // Diagonal of P Sigma_ss P: Sigma_ii - 2 rowMean_i + grandMean.
        var rowMean = Array(repeating: 0.0, count: n)
        var grandMean = 0.0
        for a in 0..<n {
            var s = 0.0
            for b in 0..<n { s += h[a * tda + b] }
            rowMean[a] = s / Double(n)
            grandMean += rowMean[a]
        }
        grandMean /= Double(n)
        var errors = Array(repeating: 0.0, count: n)
        for a in 0..<n {
            errors[a] = max(0, h[a * tda + a] - 2 * rowMean[a] + grandMean).squareRoot()
        }
        standardErrors = errors
        logStrengthErrors = fit.options.prior == .newman ? (0..<n).map { max(0, h[$0 * tda + $0]).squareRoot() } : nil
        logTieParameterError = nuIndex >= 0 ? h[nuIndex * tda + nuIndex].squareRoot() : nil
        logHomeAdvantageError = thetaIndex >= 0 ? h[thetaIndex * tda + thetaIndex].squareRoot() : nil
    }
}
