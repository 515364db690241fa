/**
 * EC2 Query protocol parameters: the form-encoded body (`Action=…&Version=…&Filter.1.Name=…`) read into
 * typed values. Missing or malformed parameters become EC2's own errors.
 */
import { AwsError } from '../aws-error.js';

export interface Filter {
  name: string;
  values: string[];
}

export class QueryParams {
  private readonly values: Map<string, string>;

  constructor(search: URLSearchParams) {
    this.values = new Map(search.entries());
  }

  get action(): string | undefined {
    return this.values.get('Action');
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') {
      throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid. Expected: 'true' or 'false'.`);
  }

  /** `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    return this.indexed(new RegExp(`^${name}\\.(\\d+)$`)).map(([, value]) => value);
  }

  /** `Filter.N.Name` with its `Filter.N.Value.M`. */
  filters(): Filter[] {
    return this.indexed(/^Filter\.(\d+)\.Name$/).map(([index, name]) => ({
      name,
      values: this.list(`Filter\\.${index}\\.Value`),
    }));
  }

  /** Every parameter except Action and Version, for the request log. */
  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const [key, value] of this.values) if (key !== 'Action' && key !== 'Version') record[key] = value;
    return record;
  }

  private indexed(pattern: RegExp): [number, string][] {
    const found: [number, string][] = [];
    for (const [key, value] of this.values) {
      const match = pattern.exec(key);
      if (match) found.push([Number(match[1]), value]);
    }
    return found.sort((a, b) => a[0] - b[0]);
  }
}
