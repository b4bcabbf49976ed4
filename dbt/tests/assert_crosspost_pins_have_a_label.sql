{# Every `pin` row of seeds/crosspost_overrides.csv names its group (group_label); a pin without
   a label would silently act as a split. Returns the offending rows. #}

select content_key, action, group_label
from {{ ref('crosspost_overrides') }}
where lower(trim(action)) = 'pin'
    and (group_label is null or trim(group_label) = '')
