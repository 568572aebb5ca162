### 报告中的文字（简体中文）。
###
### `template-tooltip`：控制台模板“使用”按钮上显示的一行（`autoseal templates`）：
### 可以使用、满足条件时可以使用，或无法使用及其第一个原因（已是中文）。

template-tooltip = { $template_name }：{ $why ->
        [usable] 可以使用，以印章 { $seal_name }（{ $seal }）自动签署（规则 { $rule }）
        [conditional] 满足条件时可以使用{ KIND($needs) ->
            [none] {""}
           *[other] （需提供 { $needs }）
        }，以印章 { $seal_name }（{ $seal }）自动签署（规则 { $rule }）
       *[manual] 无法使用，{ $reason }
    }

# 发起方企业（或其代为发起的企业）没有模板。
templates-none = 企业 `{ $org }` 没有模板
