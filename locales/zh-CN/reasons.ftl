### 不能自动签署的原因（简体中文）。
###
### 每个原因代码一条消息，以代码命名。消息只使用该代码携带的参数
### （docs/language.md，"Reason parameters"）；原因未携带的可选参数为空，
### 此时 `KIND($x)` 为 `none`。`TIME($x)` 把 RFC 3339 时刻写成策略集时区
### 下的“2026-06-01 12:00”（零点只写日期），日期原样保留。名称写作“显示名（id）”，
### 用语与电子签控制台一致：自动签署、印章、超管、模板、签署方、授权、合作方。

unknown_org = 企业 { $org } 不存在

unknown_employee = 员工 { $employee } 不存在

unknown_template = 模板 { $template } 不存在

template_owner_mismatch = 模板 { $template_name }（{ $template }）属于 { $owner_name }（{ $owner }），不属于发起方企业 { $org_name }（{ $org }）

service_not_enabled =
    { $why ->
        [disabled] { $org_name }（{ $org }）已于 { TIME($at) } 关闭企业自动签署服务
        [not_yet_enabled] { $org_name }（{ $org }）的企业自动签署服务自 { TIME($at) } 起才开通
       *[never_enabled] { $org_name }（{ $org }）尚未开通企业自动签署服务
    }

not_group_member = { $on_behalf_of_name }（{ $on_behalf_of }）不属于主企业为 { $org_name }（{ $org }）的集团，不能代其发起合同

initiator_not_authorized = 员工 { $employee_name }（{ $employee }）不能用模板 { $template_name }（{ $template }）发起自动签署：{ $why ->
        [no_authorization] 该员工没有自动签授权
        [no_authorization_on_behalf] 该员工没有代 { $org_name }（{ $org }）发起的集团企业员工授权
        [other_template] 授权 { $rule } 只适用于模板 { $covers_name }（{ $covers }）
        [not_yet_valid] 授权 { $rule } 自 { TIME($from) } 起才生效
        [expired] 授权 { $rule } 的有效期至 { TIME($until) }，已过期
        [revoked] 授权 { $rule } 已于 { TIME($at) } 被撤销{ KIND($by) ->
            [none] {""}
           *[other] ，操作人：{ $by_name }（{ $by }）
        }
        [attribute_missing] 授权 { $rule } 的条件 { $condition } 需要{ KIND($expected) ->
            [none] {""}
           *[other] { $expected ->
                [number] 数字
                [string] 字符串
                [bool] 布尔
               *[other] { $expected }
            }类型的
        }属性 { $attribute }，{ KIND($given) ->
            [none] 本次请求未提供
           *[other] 本次请求提供的是{ $given ->
                [number] 数字
                [string] 字符串
                [bool] 布尔
               *[other] { $given }
            }
        }
       *[condition_not_met] 授权 { $rule } 的条件不满足：{ KIND($attribute) ->
            [none] { $condition } 不成立
           *[other] 要求 { $condition }，而本次请求的 { $attribute } 为 { $value }
        }
    }

template_disabled = 模板 { $template_name }（{ $template }）自 { TIME($since) } 起已停用

template_not_auto_sign =
    { $why ->
        [no_rule] 模板 { $template_name }（{ $template }）不是 { $org_name }（{ $org }）的自动签模板
        [not_yet_valid] 自动签模板规则 { $rule } 自 { TIME($from) } 起才生效
        [expired] 自动签模板规则 { $rule } 的有效期至 { TIME($until) }，已过期
       *[revoked] 自动签模板规则 { $rule } 已于 { TIME($at) } 被撤销{ KIND($by) ->
            [none] {""}
           *[other] ，操作人：{ $by_name }（{ $by }）
        }
    }

no_partner_grant = 合作方 { $org_name }（{ $org }）未授权模板 { $template_name }（{ $template }）的自动签署

signatory_mismatch = 合作方 { $org_name }（{ $org }）的授权 { $rule } 适用的签署方是“{ $grant_signatory }”，不是“{ $signatory }”

grant_not_yet_valid = 合作方 { $org_name }（{ $org }）的授权 { $rule } 自 { TIME($from) } 起才生效

grant_expired = 合作方 { $org_name }（{ $org }）的授权 { $rule } 有效期至 { TIME($until) }，已过期

grant_revoked = 合作方 { $org_name }（{ $org }）已于 { TIME($at) } 撤销授权 { $rule }{ KIND($by) ->
        [none] {""}
       *[other] ，操作人：{ $by_name }（{ $by }）
    }

grant_void = 合作方 { $org_name }（{ $org }）的授权 { $rule } 无效：{ $why ->
        [invite_mismatch] 其{ $mismatch ->
            [inviting_org] 邀请企业
            [signatory] 签署方
            [template] 模板
           *[other] { $mismatch }
        }与邀请 { $invite } 不一致
        [accepted_before_invite] 在邀请 { $invite } 发出之前就已接受
        [accepted_after_window] 邀请 { $invite } 已于 { TIME($closed) } 失效，之后才接受
       *[not_super_admin] 接受邀请 { $invite } 的 { $by_name }（{ $by }）在 { TIME($at) } 时不是该企业的超管
    }

seal_disabled = 规则 { $rule } 的印章 { $seal_name }（{ $seal }）自 { TIME($since) } 起已停用

condition_not_met = 规则 { $rule } 的条件不满足：{ KIND($attribute) ->
        [none] { $condition } 不成立
       *[other] 要求 { $condition }，而本次请求的 { $attribute } 为 { $value }
    }

attribute_missing = 规则 { $rule } 的条件 { $condition } 需要{ KIND($expected) ->
        [none] {""}
       *[other] { $expected ->
            [number] 数字
            [string] 字符串
            [bool] 布尔
           *[other] { $expected }
        }类型的
    }属性 { $attribute }，{ KIND($given) ->
        [none] 本次请求未提供
       *[other] 本次请求提供的是{ $given ->
            [number] 数字
            [string] 字符串
            [bool] 布尔
           *[other] { $given }
        }
    }

forbidden = 禁止规则 { $forbid } 不允许规则 { $rule } 以印章 { $seal_name }（{ $seal }）自动签署{ KIND($attribute) ->
        [none] {""}
       *[other] ：本次请求未提供{ KIND($expected) ->
            [none] {""}
           *[other] { $expected ->
                [number] 数字
                [string] 字符串
                [bool] 布尔
               *[other] { $expected }
            }类型的
        }属性 { $attribute }，无法判断禁止规则的条件，按适用处理
    }

ambiguous_seal = 规则 { $rule } 和 { $other_rule } 同时适用，但印章不同：{ $seal_name }（{ $seal }）与 { $other_seal_name }（{ $other_seal }）
