/**
 * Training infrastructure shared by all trainers: {@link org.mutor.common.train.AdamW}
 * with {@link org.mutor.common.train.ParamGroup}s, global-norm clipping in
 * {@link org.mutor.common.train.Gradients}, {@link org.mutor.common.train.LrSchedule}s,
 * {@link org.mutor.common.train.Ema}, checkpoints for exact resume
 * ({@link org.mutor.common.train.TrainCheckpoint}), metrics CSV and plots
 * ({@link org.mutor.common.train.MetricsLog}), and {@link org.mutor.common.train.Trainer},
 * which ties them together.
 *
 * <p>Randomness for exact resume: nothing random is carried as state. Data order
 * ({@link org.mutor.common.train.ShuffledOrder}) and Java-side draws
 * ({@link org.mutor.common.train.StepRandom}, {@link org.mutor.common.train.Dropout})
 * derive from (seed, step, stream). The engine's generator cannot be saved, so the
 * trainer reseeds it from (seed, step, micro-batch) before every micro-batch. A test
 * shows that this repeats engine-side dropout on the CPU. Masks that must match across
 * devices come from {@link org.mutor.common.train.Dropout} instead.
 */
package org.mutor.common.train;
