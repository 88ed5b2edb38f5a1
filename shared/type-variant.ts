/**
 * `v.variant('type', options)` that finds the option by the input's `type` in a table instead of
 * trying the options in turn. valibot's variant runs every option's discriminator until one
 * matches and builds an issue object for each miss (about 1 us each): for a frame type late in a
 * list of a dozen, that was most of the parse time of every relayed frame. The option found runs
 * exactly as in the variant, so the checks are the same; an input whose `type` names no option
 * goes through the variant itself, for its issues.
 */
import * as v from 'valibot';

type TypedObjectOption = v.VariantOptions<'type'>[number] & { entries: { type: { literal?: unknown } } };

export function typeVariant<const TOptions extends v.VariantOptions<'type'>>(options: TOptions): v.VariantSchema<'type', TOptions, undefined> {
  const schema = v.variant('type', options);
  const table = new Map<unknown, TOptions[number]>();
  for (const option of options as readonly TypedObjectOption[]) {
    const literal = option.entries.type.literal;
    if (literal === undefined || table.has(literal)) throw new Error('typeVariant: every option needs its own literal `type`');
    table.set(literal, option);
  }
  type Run = (typeof schema)['~run'];
  const variantRun: Run = schema['~run'].bind(schema);
  const run: Run = (dataset, config) => {
    const input = dataset.value;
    const option = input && typeof input === 'object' ? table.get((input as { type?: unknown }).type) : undefined;
    if (!option) return variantRun(dataset, config);
    return option['~run']({ value: input }, config) as ReturnType<Run>;
  };
  (schema as { '~run': Run })['~run'] = run;
  return schema;
}
