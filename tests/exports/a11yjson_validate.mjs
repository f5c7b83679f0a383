// Validates A11yJSON PlaceInfo documents against the published schema (npm @sozialhelden/a11yjson,
// its SimpleSchema definition getPlaceInfoSchemaDefinition), strictly: nothing is cleaned first, so
// a key the schema does not know, a wrong type or a unit of the wrong kind is an error.
// stdin: a JSON array of PlaceInfo objects; stdout: a JSON array, one list of errors per object.
import { readFileSync } from 'node:fs';
import SimpleSchema from '@sozialhelden/simpl-schema';
import { getPlaceInfoSchemaDefinition } from '@sozialhelden/a11yjson';

const schema = new SimpleSchema(getPlaceInfoSchemaDefinition(), { humanizeAutoLabels: false });
const places = JSON.parse(readFileSync(0, 'utf8'));
const report = places.map((place) => {
  const context = schema.newContext();
  context.validate(place);
  return context.validationErrors().map((e) => ({ name: e.name, type: e.type, value: e.value ?? null }));
});
process.stdout.write(JSON.stringify(report));
