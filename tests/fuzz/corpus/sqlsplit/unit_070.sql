

DO $$ BEGIN END $ $;