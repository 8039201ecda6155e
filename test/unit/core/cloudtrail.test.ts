import { bool, setItems, str } from '../../../lambda/core/cloudtrail';

describe('setItems reads every shape CloudTrail uses for a set', () => {
  it.each([
    ['absent', {}, []],
    ['an empty object', { s: {} }, []],
    ['items', { s: { items: [{ a: 1 }, { a: 2 }] } }, [{ a: 1 }, { a: 2 }]],
    ['item (singular)', { s: { item: [{ a: 1 }] } }, [{ a: 1 }]],
    ['a single item object', { s: { item: { a: 1 } } }, [{ a: 1 }]],
    ['a bare array', { s: [{ a: 1 }] }, [{ a: 1 }]],
    ['null', { s: null }, []],
    ['items with null and string elements', { s: { items: [null, 'x', { a: 1 }] } }, [{ a: 1 }]],
    ['items that is not an array', { s: { items: 'nope' } }, []],
    ['items that is not an array beside an item list', { s: { items: 'nope', item: [{ a: 1 }, 'x'] } }, [{ a: 1 }]],
    ['an item that is neither a list nor an object', { s: { item: 'x' } }, []],
    ['a bare array with null and string elements', { s: [null, 'x', { a: 1 }] }, [{ a: 1 }]],
    ['a string', { s: 'x' }, []],
  ])('%s', (_name, parent, expected) => {
    expect(setItems(parent, 's')).toEqual(expected);
  });

  it('returns nothing when the parent is not an object', () => {
    expect(setItems(null, 's')).toEqual([]);
    expect(setItems('x', 's')).toEqual([]);
  });
});

describe('scalar readers', () => {
  it('accept CloudTrail string booleans as well as JSON booleans', () => {
    expect(bool({ v: 'true' }, 'v')).toBe(true);
    expect(bool({ v: 'false' }, 'v')).toBe(false);
    expect(bool({ v: true }, 'v')).toBe(true);
    expect(bool({ v: 'yes' }, 'v')).toBeUndefined();
  });

  it('treat empty strings and non-strings as missing', () => {
    expect(str({ v: '' }, 'v')).toBeUndefined();
    expect(str({ v: 42 }, 'v')).toBeUndefined();
    expect(str({ v: 'x' }, 'v')).toBe('x');
  });
});
