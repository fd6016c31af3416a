import PPLDistributions

/// A whole SMC population held by the model as columns, one value per particle per quantity,
/// for models whose particles all run the same instructions (`Model.makePopulation`).
///
/// SMC advances it block by block, one task per block as with particles, then ends the step,
/// then resamples it by ancestor indices. Every particle meets the same observation at the same
/// step and makes its choices at the same keys, so a step is described once for all of them.
/// Calls come in this order: `advance` for every block (concurrently, each block's particles
/// only), `endStep`, then `resample` or not, and `finalReturn` once every particle finished.
public protocol ParticlePopulation: AnyObject, Sendable {
    /// Advances the particles of `range` (one block, `range.lowerBound` a multiple of the block
    /// size) to their next observation (inclusive) or to the end, adding each one's observation
    /// log density to `logWeights[i]`. Only the task advancing this block touches its particles.
    func advance(block range: Range<Int>, logWeights: UnsafeMutablePointer<Double>,
                 using rng: inout RandomStream) throws(ModelError)

    /// What the step every particle just made did: its latent choices, by key, with one column of
    /// values each (N values, read before the next `advance`), where it stopped, and whether the
    /// program ended.
    func endStep() -> PopulationStep

    /// Particle j becomes a copy of particle `ancestors[j]`.
    func resample(ancestors: [Int])

    /// Every particle's reported quantities (`let` at model level, in the order reported) and return
    /// value once all have finished: for each, particle 0's value (which names the columns and
    /// gives their shape) and each of its scalars as a column over the particles, in the order
    /// `Value` flattens; `returned` is nil when the program returns nothing.
    func finalValues() -> (deterministic: [(address: Address, representative: Value, columns: [[Double]])],
                           returned: (representative: Value, columns: [[Double]])?)
}

/// One step of a `ParticlePopulation`, the same for every particle.
public struct PopulationStep: @unchecked Sendable {
    public var keys: [ChoiceKey]
    /// values[e][i]: particle i's value of choice `keys[e]` (the population's buffers, valid until
    /// the next `advance`; unchecked Sendable since only the engine's loop reads them).
    public var values: [UnsafePointer<Double>]
    /// The observation every particle stopped at (`Model.observationLocation(_:)`), -1 at the end.
    public var observation: Int
    public var finished: Bool

    public init(keys: [ChoiceKey], values: [UnsafePointer<Double>], observation: Int, finished: Bool) {
        self.keys = keys
        self.values = values
        self.observation = observation
        self.finished = finished
    }
}
