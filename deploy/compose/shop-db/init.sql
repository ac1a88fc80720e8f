-- The example application database the compose stack backs up and drills: a small shop whose
-- rows are derived from generate_series, so every fresh stack holds the same data.
create schema shop;

create table shop.customers (
  id bigint generated always as identity primary key,
  email text not null unique,
  country char(2) not null,
  created_at timestamptz not null
);

create table shop.products (
  id int primary key,
  sku text not null unique,
  price_cents int not null check (price_cents > 0)
);

create table shop.orders (
  id bigint primary key,
  customer_id bigint not null references shop.customers (id),
  ordered_at timestamptz not null,
  status text not null check (status in ('new', 'paid', 'shipped', 'cancelled'))
);
create index orders_customer_idx on shop.orders (customer_id);

create table shop.order_items (
  order_id bigint not null references shop.orders (id),
  line int not null,
  product_id int not null references shop.products (id),
  quantity int not null check (quantity > 0),
  primary key (order_id, line)
);

insert into shop.customers (email, country, created_at)
select 'customer' || g || '@example.com', (array['DE','FR','US','GB','NL'])[1 + g % 5],
       timestamptz '2025-01-01 00:00:00+00' + g * interval '37 minutes'
from generate_series(1, 2000) g;

insert into shop.products (id, sku, price_cents)
select g, 'SKU-' || lpad(g::text, 5, '0'), 199 + (g * 977) % 49800
from generate_series(1, 250) g;

insert into shop.orders (id, customer_id, ordered_at, status)
select g, 1 + (g * 7919) % 2000,
       timestamptz '2025-01-01 00:00:00+00' + ((g * 7919) % 525600) * interval '1 minute',
       (array['new','paid','shipped','cancelled'])[1 + g % 4]
from generate_series(1, 12000) g;

insert into shop.order_items (order_id, line, product_id, quantity)
select o.id, l, 1 + (o.id * 31 + l * 17) % 250, 1 + (o.id + l) % 5
from shop.orders o cross join lateral generate_series(1, 1 + (o.id % 4)::int) l;

analyze;
